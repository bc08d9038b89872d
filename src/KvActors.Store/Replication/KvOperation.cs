namespace KvActors.Store.Replication;

public enum KvOperationKind : byte
{
    Put = 1,
    Delete = 2,
    /// <summary>Takes a seq and changes nothing: the logged result of a command whose condition failed or that erred.</summary>
    Noop = 3,
}

/// <summary>
/// A write to a partition as logged and replicated (already checked against the size limits): a Put with its absolute
/// expiry, a Delete, or a Noop. Conditional and read-modify-write commands are evaluated once, at the primary, into one
/// of these (see <see cref="CommandEvaluator"/>). Equal when kind, key, value bytes and expiry are equal.
/// </summary>
public sealed class KvOperation : IEquatable<KvOperation>
{
    private KvOperation(KvOperationKind kind, byte[] key, byte[]? value, long expiresAtMs)
    {
        Kind = kind;
        Key = key;
        Value = value;
        ExpiresAtMs = expiresAtMs;
    }

    public KvOperationKind Kind { get; }

    public byte[] Key { get; }

    /// <summary>The value written by a Put; null for a Delete or Noop.</summary>
    public byte[]? Value { get; }

    /// <summary>A Put's expiry, Unix time in ms; 0 = never.</summary>
    public long ExpiresAtMs { get; }

    public static KvOperation Put(byte[] key, byte[] value, long expiresAtMs = 0) =>
        expiresAtMs >= 0 ? new(KvOperationKind.Put, key, value, expiresAtMs) : throw new ArgumentOutOfRangeException(nameof(expiresAtMs));

    public static KvOperation Delete(byte[] key) => new(KvOperationKind.Delete, key, null, 0);

    /// <summary>Changes nothing; <paramref name="key"/> is the command's key (it stays in the partition).</summary>
    public static KvOperation Noop(byte[] key) => new(KvOperationKind.Noop, key, null, 0);

    public bool Equals(KvOperation? other) =>
        other is not null && Kind == other.Kind && ExpiresAtMs == other.ExpiresAtMs && Key.AsSpan().SequenceEqual(other.Key)
        && (Value is null ? other.Value is null : other.Value is not null && Value.AsSpan().SequenceEqual(other.Value));

    public override bool Equals(object? obj) => obj is KvOperation other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.AddBytes(Key);
        return hash.ToHashCode();
    }

    public override string ToString() => Kind switch
    {
        KvOperationKind.Put => $"PUT {Convert.ToHexString(Key)} ({Value!.Length} bytes{(ExpiresAtMs == 0 ? "" : $", expires at {ExpiresAtMs}")})",
        KvOperationKind.Delete => $"DELETE {Convert.ToHexString(Key)}",
        _ => $"NOOP {Convert.ToHexString(Key)}",
    };
}
