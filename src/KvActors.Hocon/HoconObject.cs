namespace KvActors.Hocon;

/// <summary>
/// An object: fields in the order they were first written. Mutable only while the parser builds it;
/// resolved objects (<see cref="IsResolved"/>) are never changed, so configs can share them.
/// </summary>
internal sealed class HoconObject : HoconValue
{
    public HoconObject(SourcePosition position, bool resolved = false) : base(position) => IsResolved = resolved;

    public OrderedDictionary<string, HoconValue> Fields { get; } = new(StringComparer.Ordinal);

    public bool IsResolved { get; }

    public override string Describe() => "an object";

    /// <summary>
    /// Merges two resolved objects into a new one: fields of <paramref name="over"/> win, objects
    /// present in both merge recursively. Neither input changes.
    /// </summary>
    public static HoconObject MergeResolved(HoconObject over, HoconObject under)
    {
        if (under.Fields.Count == 0) return over;
        if (over.Fields.Count == 0) return under;
        var result = new HoconObject(over.Position, resolved: true);
        foreach (var (key, value) in over.Fields)
        {
            result.Fields[key] = value is HoconObject o && under.Fields.TryGetValue(key, out var u) && u is HoconObject uo
                ? MergeResolved(o, uo)
                : value;
        }
        foreach (var (key, value) in under.Fields)
        {
            if (!result.Fields.ContainsKey(key)) result.Fields[key] = value;
        }
        return result;
    }
}
