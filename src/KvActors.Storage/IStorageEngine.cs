namespace KvActors.Storage;

/// <summary>
/// What the store needs from durable storage: each partition's replication log and snapshots. Operations are the
/// store's Put and Delete on a partition, each with the partition's seq (assigned by the primary), the epoch it was
/// assigned in and an opaque tag. Records after a partition's commit point may be truncated (<see cref="TruncateAfterAsync"/>);
/// the replica's epoch and commit point are kept with <see cref="RecordMarkAsync"/>. Implementations:
/// <see cref="Engine.FileStorageEngine"/> (write-ahead log + snapshots on disk) and <see cref="Engine.InMemoryStorageEngine"/>
/// (for tests).
/// </summary>
public interface IStorageEngine : IAsyncDisposable
{
    /// <summary>Partitions that have something on disk (a snapshot, live records, or damage the store must deal with).</summary>
    IReadOnlyCollection<int> ListPartitions();

    /// <summary>
    /// The partition as recovered: its newest snapshot, every later record not voided, and its highest mark. Call it at
    /// start, before appending to the partition. Throws <see cref="StorageException"/> (<see cref="StorageErrorKind.Corrupt"/>)
    /// rather than return state that might be wrong. A partition with nothing on disk loads empty with seq 0.
    /// </summary>
    ValueTask<PartitionState> LoadPartitionAsync(int partition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Logs one operation; completes when it is as durable as the fsync policy says. Fails with a
    /// <see cref="StorageException"/> for an oversize key or value (before anything is logged), a full disk or an I/O error.
    /// </summary>
    ValueTask AppendAsync(int partition, long seq, StorageOperation operation);

    /// <summary>
    /// Durably voids every record of the partition logged so far with a seq above <paramref name="seq"/> (a prepared
    /// tail that another primary's history replaced). Later appends continue after <paramref name="seq"/>.
    /// </summary>
    ValueTask TruncateAfterAsync(int partition, long seq);

    /// <summary>Durably records the replica's adopted epoch and commit point (recovery returns the highest of each).</summary>
    ValueTask RecordMarkAsync(int partition, ReplicaMark mark);

    /// <summary>
    /// Logs <paramref name="writes"/> in order, as the matching <see cref="AppendAsync"/>, <see cref="TruncateAfterAsync"/>
    /// and <see cref="RecordMarkAsync"/> calls one after another would, but together: where the fsync policy lets the
    /// caller write to the log itself (<c>everysec</c>, <c>never</c>) that is one system call instead of one per record.
    /// Completes when all are as durable as the policy says. An oversize operation fails the whole call before anything
    /// is logged. The engine is done with <paramref name="writes"/> when this returns (the list may be reused).
    /// </summary>
    ValueTask WriteAsync(int partition, IReadOnlyList<LogWrite> writes);

    /// <summary>
    /// Durably records <paramref name="state"/> as the partition's contents at <paramref name="seq"/> (whose record has
    /// <paramref name="epoch"/>), with the caller's <paramref name="tag"/>, then deletes log segments no longer needed.
    /// Records after <paramref name="seq"/> stay. <paramref name="expiries"/> holds the expiry (Unix ms) of each key in
    /// <paramref name="state"/> that has one (null: none). The collections must not change until the returned task completes.
    /// <paramref name="keepLogAfter"/> (at most <paramref name="seq"/>; -1: <paramref name="seq"/>): the records after it
    /// stay readable for catch-up (<see cref="ReadSinceAsync"/>) and are not compacted, so a replica a little behind this
    /// snapshot still catches up from the log; only for the same history (the previous snapshot this replica saved), never
    /// for a snapshot that replaces the log. Until the next snapshot, or a restart (then the log after the snapshot).
    /// </summary>
    ValueTask SaveSnapshotAsync(int partition, long seq, IReadOnlyCollection<KeyValuePair<byte[], byte[]>> state,
        long epoch = 0, ReadOnlyMemory<byte> tag = default, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<byte[], long>? expiries = null, long keepLogAfter = -1);

    /// <summary>
    /// Records of the partition with seq &gt; <paramref name="afterSeq"/> not voided by a truncation, oldest first, at most
    /// <paramref name="maxRecords"/>; or <see cref="CatchUpResult.Compacted"/> when the log no longer holds all of them
    /// (send a snapshot instead): <paramref name="afterSeq"/> is before the snapshot's seq, or before the log kept with it
    /// (<see cref="SaveSnapshotAsync"/>'s keepLogAfter).
    /// </summary>
    ValueTask<CatchUpResult> ReadSinceAsync(int partition, long afterSeq, int maxRecords = int.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets a partition the node no longer owns: durably logs that everything before is void, deletes its snapshot,
    /// and stops its records from keeping log segments alive.
    /// </summary>
    ValueTask DropPartitionAsync(int partition, CancellationToken cancellationToken = default);
}
