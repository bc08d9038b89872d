namespace KvActors.Store.Partitioning;

/// <summary>A cluster member as the ring names it: its "host:port" address, compared ordinally.</summary>
public readonly record struct NodeId : IComparable<NodeId>
{
    public NodeId(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
    }

    public string Value { get; }

    public int CompareTo(NodeId other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
