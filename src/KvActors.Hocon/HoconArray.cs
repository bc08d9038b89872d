namespace KvActors.Hocon;

/// <summary>A list of values.</summary>
internal sealed class HoconArray : HoconValue
{
    public HoconArray(SourcePosition position, List<HoconValue> items, bool resolved = false) : base(position)
    {
        Items = items;
        IsResolved = resolved;
    }

    public List<HoconValue> Items { get; }

    public bool IsResolved { get; }

    public override string Describe() => "a list";
}
