namespace KvActors.Store.Replication;

/// <summary>Why a command was refused at evaluation (it is still logged, as a Noop, so it is answered in log order).</summary>
public enum CommandError : byte
{
    None = 0,
    /// <summary>INCR and friends on a value that is not a 64-bit signed decimal integer.</summary>
    NotAnInteger = 1,
    /// <summary>An increment or decrement past the 64-bit signed range.</summary>
    Overflow = 2,
    /// <summary>APPEND would make the value longer than the value limit.</summary>
    ValueTooLarge = 3,
    /// <summary>An expiry that is not positive (SET) or does not fit in Unix milliseconds.</summary>
    InvalidExpireTime = 4,
}

/// <summary>
/// What a write did, as the primary computed it when it evaluated the write; logged with the entry, kept with the
/// duplicate-request answers and replied, so a retry after a failover gets the same answer. <see cref="Existed"/>: the
/// key held a live value before; <see cref="Applied"/>: the condition held (SET NX/XX, EXPIRE NX/XX/GT/LT, PERSIST);
/// <see cref="Value"/>: the value before (SET GET, GETSET, GETDEL), null = none; <see cref="Number"/>: the new integer
/// (INCR) or length (APPEND).
/// </summary>
public sealed record CommandResult(bool Existed, bool Applied = true, byte[]? Value = null, long Number = 0, CommandError Error = CommandError.None)
{
    private static readonly CommandResult Created = new(false), Replaced = new(true);

    /// <summary>
    /// A plain write's answer (applied; no value, number or error), one shared instance each: every Put and Delete carries
    /// one, kept with its log entry and its duplicate-request answer past young collections, so one per write was
    /// garbage the GC copied before it died.
    /// </summary>
    public static CommandResult Plain(bool existed) => existed ? Replaced : Created;

    public bool Equals(CommandResult? other) =>
        other is not null && Existed == other.Existed && Applied == other.Applied && Number == other.Number && Error == other.Error
        && (Value is null ? other.Value is null : other.Value is not null && Value.AsSpan().SequenceEqual(other.Value));

    public override int GetHashCode() => HashCode.Combine(Existed, Applied, Number, Error, Value?.Length);
}
