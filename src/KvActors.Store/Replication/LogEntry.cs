namespace KvActors.Store.Replication;

/// <summary>
/// One prepared write. <see cref="Epoch"/> is the epoch whose primary assigned <see cref="Seq"/>: one primary per epoch
/// assigns each seq once, so (seq, epoch) identifies the entry and two logs holding it agree on the operation.
/// The request id travels with the entry so every replica can answer retries after a failover, and so does the answer
/// the primary computed when it evaluated the write (<paramref name="Outcome"/>; null in entries made without one).
/// </summary>
public sealed record LogEntry(long Seq, long Epoch, RequestId Request, KvOperation Operation, CommandResult? Outcome = null);
