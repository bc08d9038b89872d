using System.Collections;
using System.Globalization;
using System.Text;

namespace KvActors.Hocon;

/// <summary>
/// An immutable, fully resolved configuration tree. A sub-config from <see cref="GetConfig"/>
/// remembers its path, so errors always name the full key.
/// </summary>
public sealed class Config
{
    private const string ReferenceResource = "KvActors.reference.conf";
    private static readonly Lazy<Config> LazyReference = new(LoadReference);

    private readonly HoconObject _root;
    private readonly string _prefix; // "" at the top; otherwise the path this config sits at

    private Config(HoconObject root, string prefix)
    {
        _root = root;
        _prefix = prefix;
    }

    public static Config Empty { get; } = new(new HoconObject(new SourcePosition("<empty>", 1, 1), resolved: true), "");

    /// <summary>The project's defaults: hocon/reference.conf, embedded in this assembly, parsed once.</summary>
    public static Config Reference => LazyReference.Value;

    /// <summary>Parses HOCON text; includes are relative to the current directory.</summary>
    public static Config Parse(string text, string sourceName = "<string>")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var root = Parser.ParseDocument(text, sourceName, Directory.GetCurrentDirectory(), fullPath: null);
        return new Config(Resolver.Resolve(root), "");
    }

    /// <summary>Parses a file; includes are relative to its directory, and errors name it as <paramref name="path"/> was written.</summary>
    public static Config ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new HoconException($"bad config file name '{path}'");
        }
        var text = FileText.Read(fullPath, path, includedAt: null);
        var root = Parser.ParseDocument(text, path, Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory(), fullPath);
        return new Config(Resolver.Resolve(root), "");
    }

    /// <summary>
    /// The chain executables use: <paramref name="args"/> flags over <paramref name="env"/> variables
    /// (the process environment when null) over <paramref name="file"/> (optional) over <see cref="Reference"/>.
    /// </summary>
    public static Config Load(string? file, IEnumerable<string> args, IDictionary? env = null)
    {
        var fromFile = file == null ? Empty : ParseFile(file);
        return ConfigOverrides.FromArgs(args)
            .WithFallback(ConfigOverrides.FromEnvironment(env))
            .WithFallback(fromFile)
            .WithFallback(Reference);
    }

    internal static Config FromResolved(HoconObject root) => new(root, "");

    public bool IsEmpty => _root.Fields.Count == 0;

    /// <summary>A new config: keys of this one win, objects present in both merge deeply.</summary>
    public Config WithFallback(Config fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        return new Config(HoconObject.MergeResolved(_root, fallback._root), _prefix);
    }

    /// <summary>True when the path holds a value other than null.</summary>
    public bool HasPath(string path) => Find(path) is { } v && v is not HoconScalar { Kind: ScalarKind.Null };

    public string GetString(string path) => Scalar(path, "a string").Text;
    public string GetString(string path, string @default) => HasPath(path) ? GetString(path) : @default;

    public int GetInt(string path) => Convert(path, "an integer", (string s, out int v) => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v));
    public int GetInt(string path, int @default) => HasPath(path) ? GetInt(path) : @default;

    public long GetLong(string path) => Convert(path, "an integer", (string s, out long v) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v));
    public long GetLong(string path, long @default) => HasPath(path) ? GetLong(path) : @default;

    public double GetDouble(string path) => Convert(path, "a number", (string s, out double v) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v));
    public double GetDouble(string path, double @default) => HasPath(path) ? GetDouble(path) : @default;

    /// <summary>true/false, on/off, yes/no.</summary>
    public bool GetBool(string path) => Convert<bool>(path, "a boolean (true/false, on/off, yes/no)", TryParseBool);
    public bool GetBool(string path, bool @default) => HasPath(path) ? GetBool(path) : @default;

    /// <summary>A duration such as 500ms, 2s, 1m, 1h, 1d or "2 seconds"; a bare number is milliseconds.</summary>
    public TimeSpan GetTimeSpan(string path) => Convert<TimeSpan>(path, "a duration (e.g. 500ms, 2s, 1m)", Durations.TryParse);
    public TimeSpan GetTimeSpan(string path, TimeSpan @default) => HasPath(path) ? GetTimeSpan(path) : @default;

    /// <summary>A size such as 64KiB, 4MiB, 1GiB, 512k, 100B or 10MB; a bare number is bytes.</summary>
    public long GetBytes(string path) => Convert<long>(path, "a size in bytes (e.g. 512KiB, 4MiB, 1GB)", Sizes.TryParse);
    public long GetBytes(string path, long @default) => HasPath(path) ? GetBytes(path) : @default;

    public IReadOnlyList<string> GetStringList(string path)
    {
        var value = Require(path);
        if (value is not HoconArray array) throw WrongType(value, FullPath(path), "a list of strings");
        var result = new List<string>(array.Items.Count);
        for (var i = 0; i < array.Items.Count; i++)
        {
            var item = array.Items[i];
            if (item is not HoconScalar { Kind: not ScalarKind.Null } s)
                throw WrongType(item, $"{FullPath(path)}[{i}]", "a string");
            result.Add(s.Text);
        }
        return result;
    }

    /// <summary>
    /// The object at <paramref name="path"/> as a config that keeps the full path for its errors.
    /// A missing (or null) path gives an empty config, so its getters report the full missing key.
    /// </summary>
    public Config GetConfig(string path)
    {
        var value = Find(path);
        return value switch
        {
            HoconObject o => new Config(o, FullPath(path)),
            null or HoconScalar { Kind: ScalarKind.Null } => new Config(Empty._root, FullPath(path)),
            _ => throw WrongType(value, FullPath(path), "an object"),
        };
    }

    /// <summary>The keys directly under an object at <paramref name="path"/> ("" = root), in file order; none when missing.</summary>
    public IReadOnlyList<string> GetKeys(string path = "")
    {
        var value = path.Length == 0 ? _root : Find(path);
        return value switch
        {
            HoconObject o => o.Fields.Keys.ToList(),
            null or HoconScalar { Kind: ScalarKind.Null } => Array.Empty<string>(),
            _ => throw WrongType(value, FullPath(path), "an object"),
        };
    }

    /// <summary>Every leaf as <c>path = value</c>, one per line, values in HOCON/JSON syntax.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Render(_root, _prefix, sb);
        return sb.ToString().TrimEnd('\n');
    }

    private static void Render(HoconValue value, string path, StringBuilder sb)
    {
        if (value is HoconObject o && o.Fields.Count > 0)
        {
            foreach (var (key, child) in o.Fields)
                Render(child, path.Length == 0 ? HoconPath.Render([key]) : path + "." + HoconPath.Render([key]), sb);
            return;
        }
        sb.Append(path).Append(" = ").Append(RenderValue(value)).Append('\n');
    }

    private static string RenderValue(HoconValue value) => value switch
    {
        HoconObject => "{}",
        HoconArray a => "[" + string.Join(", ", a.Items.Select(RenderValue)) + "]",
        HoconScalar { Kind: ScalarKind.String or ScalarKind.Unquoted } s => StringEscapes.Quote(s.Text),
        HoconScalar s => s.Text,
        _ => value.Describe(),
    };

    private delegate bool TryConvert<T>(string text, out T value);

    private T Convert<T>(string path, string expected, TryConvert<T> tryConvert)
    {
        var scalar = Scalar(path, expected);
        return tryConvert(scalar.Text, out var result) ? result : throw WrongType(scalar, FullPath(path), expected);
    }

    private static bool TryParseBool(string text, out bool value)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "on" or "yes": value = true; return true;
            case "false" or "off" or "no": value = false; return true;
            default: value = false; return false;
        }
    }

    private HoconScalar Scalar(string path, string expected)
    {
        var value = Require(path);
        return value is HoconScalar { Kind: not ScalarKind.Null } s ? s : throw WrongType(value, FullPath(path), expected);
    }

    private HoconValue Require(string path) =>
        Find(path) ?? throw new HoconException($"missing configuration key '{FullPath(path)}'");

    private HoconValue? Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = HoconPath.TryParse(path) ?? throw new HoconException($"bad path expression '{path}'");
        HoconValue current = _root;
        foreach (var segment in segments)
        {
            if (current is not HoconObject o || !o.Fields.TryGetValue(segment, out var child)) return null;
            current = child;
        }
        return current;
    }

    private string FullPath(string path) => _prefix.Length == 0 ? path : path.Length == 0 ? _prefix : _prefix + "." + path;

    private static HoconException WrongType(HoconValue value, string fullPath, string expected) =>
        new(value.Position, $"{fullPath}: expected {expected}, got {value.Describe()}");

    private static Config LoadReference()
    {
        using var stream = typeof(Config).Assembly.GetManifestResourceStream(ReferenceResource)
            ?? throw new HoconException($"embedded resource '{ReferenceResource}' is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "reference.conf");
    }
}
