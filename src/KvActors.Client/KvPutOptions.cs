namespace KvActors.Client;

/// <summary>Which existing value a conditional put requires.</summary>
public enum KvPutCondition
{
    Always,
    /// <summary>Only when the key has no (live) value: Redis's SET NX.</summary>
    IfAbsent,
    /// <summary>Only when the key has a (live) value: Redis's SET XX.</summary>
    IfPresent,
}

/// <summary>
/// Options of <see cref="KvClient.PutAsync(byte[], byte[], KvPutOptions)"/>: an expiry (<see cref="Ttl"/> from the
/// primary's clock, or an absolute <see cref="ExpiresAt"/>, or <see cref="KeepTtl"/>; none = the put clears any expiry),
/// a <see cref="Condition"/>, and <see cref="ReturnOld"/> to get the value it replaced.
/// </summary>
public sealed record KvPutOptions
{
    public TimeSpan? Ttl { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool KeepTtl { get; init; }
    public KvPutCondition Condition { get; init; }
    public bool ReturnOld { get; init; }

    public static KvPutOptions WithTtl(TimeSpan ttl) => new() { Ttl = ttl };
}

/// <summary>
/// What a put with options did: whether it wrote (its condition held), whether the key held a value, that value when
/// asked for, and (as <see cref="KvWriteResult"/>) the seq and placement of the logged entry.
/// </summary>
public sealed record KvPutResult(bool Written, bool Existed, byte[]? OldValue, long Seq, KvPlacement Placement)
{
    public KvWriteResult AsWriteResult => new(Existed, Seq, Placement);
}

/// <summary>A key's remaining time to live: <see cref="Exists"/> false = no such key; <see cref="Remaining"/> null = no expiry.</summary>
public sealed record KvTtl(bool Exists, TimeSpan? Remaining, DateTimeOffset? ExpiresAt);

/// <summary>A value with its expiry (null = none) as read at the primary.</summary>
public sealed record KvValue(byte[] Value, DateTimeOffset? ExpiresAt);
