namespace KvActors.Store.Replication;

/// <summary>
/// A conditional or read-modify-write command on one key. The primary evaluates it once, in log order, against the
/// partition's latest value of the key (<see cref="CommandEvaluator"/>) and logs only its result.
/// </summary>
public abstract record KvCommand(byte[] Key)
{
    /// <summary>The value bytes the command brings (checked against the value limit before it is taken), null if none.</summary>
    public virtual byte[]? Payload => null;
}

/// <summary>Which existing value a SET requires.</summary>
public enum SetCondition : byte
{
    Always = 0,
    /// <summary>NX: only when the key has no live value.</summary>
    IfAbsent = 1,
    /// <summary>XX: only when the key has a live value.</summary>
    IfPresent = 2,
}

public enum ExpiryKind : byte
{
    /// <summary>No expiry (a SET clears any the key had).</summary>
    None = 0,
    /// <summary>KEEPTTL: the key keeps the expiry it had.</summary>
    Keep = 1,
    /// <summary>EX / PX: <see cref="Expiry.Ms"/> after the primary's wall clock when it evaluates the command.</summary>
    AfterMs = 2,
    /// <summary>EXAT / PXAT: at Unix time <see cref="Expiry.Ms"/>.</summary>
    AtUnixMs = 3,
}

/// <summary>An expiry as a command gives it; turned into an absolute time by the primary.</summary>
public readonly record struct Expiry(ExpiryKind Kind, long Ms)
{
    public static Expiry None => default;
    public static Expiry Keep => new(ExpiryKind.Keep, 0);
    public static Expiry After(long ms) => new(ExpiryKind.AfterMs, ms);
    public static Expiry At(long unixMs) => new(ExpiryKind.AtUnixMs, unixMs);
}

/// <summary>Which existing expiry an EXPIRE requires (Redis 7's NX / XX / GT / LT; no expiry counts as infinite).</summary>
public enum ExpireCondition : byte
{
    Always = 0,
    IfNoExpiry = 1,
    IfHasExpiry = 2,
    IfGreater = 3,
    IfLess = 4,
}

/// <summary>SET (NX / XX / GET / EX / PX / EXAT / PXAT / KEEPTTL), SETNX and GETSET.</summary>
public sealed record SetCommand(byte[] Key, byte[] Value, SetCondition Condition = SetCondition.Always, bool ReturnOld = false, Expiry Expiry = default)
    : KvCommand(Key)
{
    public override byte[]? Payload => Value;
}

/// <summary>INCR / INCRBY / DECR / DECRBY: adds <paramref name="Delta"/> to the 64-bit decimal integer (a missing key is 0); keeps the expiry.</summary>
public sealed record IncrementCommand(byte[] Key, long Delta) : KvCommand(Key);

/// <summary>APPEND: the value with <paramref name="Suffix"/> after it (a missing key is empty); keeps the expiry.</summary>
public sealed record AppendCommand(byte[] Key, byte[] Suffix) : KvCommand(Key)
{
    public override byte[]? Payload => Suffix;
}

/// <summary>GETDEL: deletes the key and answers its value.</summary>
public sealed record GetDeleteCommand(byte[] Key) : KvCommand(Key);

/// <summary>EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT with a condition; a time not after now deletes the key.</summary>
public sealed record ExpireCommand(byte[] Key, Expiry When, ExpireCondition Condition = ExpireCondition.Always) : KvCommand(Key);

/// <summary>PERSIST: removes the key's expiry.</summary>
public sealed record PersistCommand(byte[] Key) : KvCommand(Key);
