namespace KvActors.Store.Replication;

public enum KvOperationKind : byte
{
    Put = 1,
    Delete = 2,
}

/// <summary>A write to a partition (already checked against the size limits). Equal when kind, key and value bytes are equal.</summary>
public sealed class KvOperation : IEquatable<KvOperation>
{
    private KvOperation(KvOperationKind kind, byte[] key, byte[]? value)
    {
        Kind = kind;
        Key = key;
        Value = value;
    }

    public KvOperationKind Kind { get; }

    public byte[] Key { get; }

    /// <summary>The value written by a Put; null for a Delete.</summary>
    public byte[]? Value { get; }

    public static KvOperation Put(byte[] key, byte[] value) => new(KvOperationKind.Put, key, value);

    public static KvOperation Delete(byte[] key) => new(KvOperationKind.Delete, key, null);

    public bool Equals(KvOperation? other) =>
        other is not null && Kind == other.Kind && Key.AsSpan().SequenceEqual(other.Key)
        && (Value is null ? other.Value is null : other.Value is not null && Value.AsSpan().SequenceEqual(other.Value));

    public override bool Equals(object? obj) => obj is KvOperation other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.AddBytes(Key);
        return hash.ToHashCode();
    }

    public override string ToString() => Kind == KvOperationKind.Put
        ? $"PUT {Convert.ToHexString(Key)} ({Value!.Length} bytes)"
        : $"DELETE {Convert.ToHexString(Key)}";
}
