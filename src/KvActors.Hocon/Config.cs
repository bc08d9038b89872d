namespace KvActors.Hocon;

// STUB: the public surface every layer codes against. The Hocon work replaces the bodies
// (and may add members) but keeps these signatures.
public sealed class Config
{
    private readonly Dictionary<string, string> _values;
    private Config(Dictionary<string, string> values) => _values = values;

    public static Config Empty { get; } = new(new Dictionary<string, string>());

    /// <summary>The project's defaults: hocon/reference.conf, embedded in this assembly.</summary>
    public static Config Reference => Empty;

    public static Config Parse(string text, string sourceName = "<string>") => throw new NotImplementedException();
    public static Config ParseFile(string path) => throw new NotImplementedException();

    public bool IsEmpty => _values.Count == 0;
    public Config WithFallback(Config fallback) => this;
    public bool HasPath(string path) => _values.ContainsKey(path);

    public string GetString(string path) => _values.TryGetValue(path, out var v) ? v : throw new HoconException($"missing configuration key '{path}'");
    public string GetString(string path, string @default) => HasPath(path) ? GetString(path) : @default;
    public int GetInt(string path) => int.Parse(GetString(path));
    public int GetInt(string path, int @default) => HasPath(path) ? GetInt(path) : @default;
    public long GetLong(string path) => long.Parse(GetString(path));
    public long GetLong(string path, long @default) => HasPath(path) ? GetLong(path) : @default;
    public double GetDouble(string path) => double.Parse(GetString(path));
    public double GetDouble(string path, double @default) => HasPath(path) ? GetDouble(path) : @default;
    public bool GetBool(string path) => GetString(path) is "on" or "true" or "yes";
    public bool GetBool(string path, bool @default) => HasPath(path) ? GetBool(path) : @default;
    public TimeSpan GetTimeSpan(string path) => throw new NotImplementedException();
    public TimeSpan GetTimeSpan(string path, TimeSpan @default) => HasPath(path) ? GetTimeSpan(path) : @default;
    public long GetBytes(string path) => throw new NotImplementedException();
    public long GetBytes(string path, long @default) => HasPath(path) ? GetBytes(path) : @default;
    public IReadOnlyList<string> GetStringList(string path) => throw new NotImplementedException();
    public Config GetConfig(string path) => Empty;
    /// <summary>The keys directly under an object at <paramref name="path"/> ("" = root), in file order.</summary>
    public IReadOnlyList<string> GetKeys(string path = "") => Array.Empty<string>();
    public override string ToString() => string.Join('\n', _values.Select(kv => $"{kv.Key} = {kv.Value}"));
}

public sealed class HoconException : Exception
{
    public HoconException(string message) : base(message) { }
}
