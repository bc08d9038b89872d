namespace KvActors.Store.Replication;

/// <summary>
/// Something the shell must do for the state machine, in the order given. Durable effects must be durable before the
/// shell carries out any later effect (an acknowledgement follows the append it acknowledges).
/// </summary>
public abstract record ReplicaEffect;

/// <summary>Send to another replica of the partition.</summary>
public sealed record SendToReplica(string To, ReplicationMessage Message) : ReplicaEffect;

/// <summary>Send to the configuration manager (the RingManager).</summary>
public sealed record ReportToManager(ManagerReport Report) : ReplicaEffect;

/// <summary>Answer every client waiting on the request.</summary>
public sealed record ReplyToClient(ClientReply Reply) : ReplicaEffect;

/// <summary>Durably append these entries (contiguous, after the current log end).</summary>
public sealed record AppendToLog(IReadOnlyList<LogEntry> Entries) : ReplicaEffect;

/// <summary>Durably drop every log entry after <paramref name="Seq"/> (uncommitted entries of another history).</summary>
public sealed record TruncateLogAfter(long Seq) : ReplicaEffect;

/// <summary>Durably keep <paramref name="Snapshot"/> and drop the log through <paramref name="DiscardLogThrough"/> (whose entry has epoch <paramref name="DiscardEpoch"/>).</summary>
public sealed record SaveSnapshot(ReplicaSnapshot Snapshot, long DiscardLogThrough, long DiscardEpoch) : ReplicaEffect;

/// <summary>Durably replace the state with a snapshot from the primary: the whole log is dropped and starts after the snapshot.</summary>
public sealed record InstallSnapshot(ReplicaSnapshot Snapshot) : ReplicaEffect;

/// <summary>Durably record the highest epoch adopted (so it never goes back, even across a restart).</summary>
public sealed record RecordEpoch(long Epoch) : ReplicaEffect;

/// <summary>Durably record the commit point (may lag; recovery replays committed entries up to it).</summary>
public sealed record RecordCommitPoint(long Seq) : ReplicaEffect;

/// <summary>A committed entry was applied to the in-memory state with this answer (for storage, metrics, observers).</summary>
public sealed record ApplyCommitted(LogEntry Entry, CompletedRequest Answer) : ReplicaEffect;

/// <summary>
/// Read the log on disk after <paramref name="AfterSeq"/> (at most <paramref name="MaxEntries"/> entries) and hand the
/// answer back as a <see cref="LogRead"/>: a replica coming back asks for entries the log in memory no longer holds.
/// </summary>
public sealed record ReadLog(string For, long AfterSeq, int MaxEntries) : ReplicaEffect;
