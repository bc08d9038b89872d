namespace KvActors.Store.Replication;

/// <summary>
/// What a replica keeps across a crash, as built up by its durable effects (<see cref="AppendToLog"/>,
/// <see cref="TruncateLogAfter"/>, <see cref="SaveSnapshot"/>, <see cref="InstallSnapshot"/>, <see cref="RecordEpoch"/>,
/// <see cref="RecordCommitPoint"/>): the highest epoch adopted, the commit point, the newest snapshot, and the log after
/// <see cref="LogBaseSeq"/> (whose entry has epoch <see cref="LogBaseEpoch"/>).
/// </summary>
public sealed record DurableReplicaState(
    long Epoch,
    long CommitPoint,
    ReplicaSnapshot? Snapshot,
    long LogBaseSeq,
    long LogBaseEpoch,
    IReadOnlyList<LogEntry> Log)
{
    public static DurableReplicaState Empty { get; } = new(0, 0, null, 0, 0, Array.Empty<LogEntry>());
}
