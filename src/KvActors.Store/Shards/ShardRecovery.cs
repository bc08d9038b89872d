using KvActors.Storage;
using KvActors.Store.Replication;

namespace KvActors.Store.Shards;

/// <summary>
/// Turns a partition as the storage engine recovered it into the replica's <see cref="DurableReplicaState"/>: the
/// snapshot with its kept answers and expiries, the log after it (epochs, expiries, request ids and answers from the
/// records), the adopted epoch and
/// the commit point; and a record read back for a returning replica's catch-up into a log entry. Pure.
/// </summary>
internal static class ShardRecovery
{
    /// <summary>Whether the engine had nothing at all for the partition (then the replica starts new).</summary>
    public static bool IsEmpty(PartitionState state) =>
        state.SnapshotSeq == 0 && state.SnapshotEntries.Count == 0 && state.Records.Count == 0 && state.Mark == ReplicaMark.None;

    /// <param name="ignored">Records dropped because they do not continue the log (the reason, for the node's log); null if none.</param>
    public static DurableReplicaState ToDurable(PartitionState state, out string? ignored)
    {
        ignored = null;
        var snapshot = state.SnapshotSeq == 0 && state.SnapshotEntries.Count == 0
            ? null
            : new ReplicaSnapshot(state.SnapshotSeq, state.SnapshotEpoch, state.SnapshotEntries.ToArray(),
                state.SnapshotTag.IsEmpty ? Array.Empty<CompletedRequest>() : DurableTags.ToRequests(state.SnapshotTag), state.SnapshotExpiries);
        var log = new List<LogEntry>(state.Records.Count);
        var next = state.SnapshotSeq + 1;
        foreach (var record in state.Records)
        {
            // The engine returns records in seq order; a gap can only mean a lost middle, after which nothing is trusted.
            if (record.Seq != next)
            {
                ignored = $"records from seq {record.Seq} on were ignored: seq {next} is missing";
                break;
            }
            log.Add(ToEntry(record));
            next++;
        }
        return new DurableReplicaState(state.Mark.Epoch, state.Mark.CommitPoint, snapshot, state.SnapshotSeq, state.SnapshotEpoch, log);
    }

    /// <summary>A log record as the replica's log entry: its epoch, expiry, request id and answer (from the tag).</summary>
    public static LogEntry ToEntry(LogRecord record)
    {
        var (request, outcome) = DurableTags.ToLogged(record.Tag);
        var key = record.Key.ToArray();
        var operation = record.Kind switch
        {
            OperationKind.Put => KvOperation.Put(key, record.Value.ToArray(), record.ExpiresAtMs),
            OperationKind.Delete => KvOperation.Delete(key),
            _ => KvOperation.Noop(key),
        };
        return new LogEntry(record.Seq, record.Epoch, request, operation, outcome);
    }
}
