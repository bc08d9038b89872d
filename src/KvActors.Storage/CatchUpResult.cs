namespace KvActors.Storage;

/// <summary>
/// The answer to <see cref="IStorageEngine.ReadSinceAsync"/>: either the records after the asked seq, in seq order,
/// or "compacted": the log no longer holds them and the replica must take a snapshot instead.
/// </summary>
public sealed record CatchUpResult(bool Compacted, IReadOnlyList<LogRecord> Records)
{
    public static CatchUpResult CompactedAnswer { get; } = new(true, Array.Empty<LogRecord>());
    public static CatchUpResult Of(IReadOnlyList<LogRecord> records) => new(false, records);
}
