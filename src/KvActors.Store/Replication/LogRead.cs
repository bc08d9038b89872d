namespace KvActors.Store.Replication;

/// <summary>
/// The answer to <see cref="ReadLog"/>: the entries on disk after <paramref name="AfterSeq"/>, in seq order, or null
/// when the log no longer holds them (compacted into a snapshot) or could not be read; the replica
/// <paramref name="For"/> then gets a snapshot.
/// </summary>
public sealed record LogRead(string For, long AfterSeq, IReadOnlyList<LogEntry>? Entries);
