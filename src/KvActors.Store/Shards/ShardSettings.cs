using KvActors.Storage;
using KvActors.Store.Replication;

namespace KvActors.Store.Shards;

/// <summary>The shard layer's settings: the replication core's timing, the value limits, and the replicator's batching and bounds.</summary>
public sealed record ShardSettings
{
    public ReplicationSettings Replication { get; init; } = new();

    /// <summary>How often each ShardActor ticks its core (heartbeats, timeouts, reports); well under the heartbeat interval.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Keys longer than this are refused before anything is logged (<c>kvactors.storage.max-key-size</c>).</summary>
    public int MaxKeySize { get; init; } = 64 << 10;

    /// <summary>Values longer than this are refused before anything is logged (<c>kvactors.storage.max-value-size</c>).</summary>
    public int MaxValueSize { get; init; } = 1 << 20;

    /// <summary>Most replication items in one <c>ReplicationBatch</c>.</summary>
    public int MaxBatchItems { get; init; } = 512;

    /// <summary>
    /// Most bytes of items in one <c>ReplicationBatch</c> (a single larger item still goes alone). Well under
    /// akka.remote.dot-netty.tcp.maximum-frame-size (4 MiB in reference.conf), which also bounds one item:
    /// a key at max-key-size plus a value at max-value-size.
    /// </summary>
    public int MaxBatchBytes { get; init; } = 1 << 20;

    /// <summary>Most unacknowledged batches in flight to one destination node.</summary>
    public int MaxBatchesInFlight { get; init; } = 8;

    /// <summary>
    /// Most items queued for one destination; further items are dropped (the replication core resends from the
    /// replica's acknowledged point on its heartbeat) and, from half of it, primaries answer new writes RetryLater.
    /// </summary>
    public int MaxQueuedPerDestination { get; init; } = 20_000;

    /// <summary>
    /// A batch unacknowledged for this long is given up as lost (a crashed or cut-off destination): its slot is freed.
    /// Short, because while a batch is in flight the replicator holds the next items back (heartbeats too): a lost batch
    /// must not hold them for anything near the replicas' grace period. Giving up on a batch that still arrives costs nothing.
    /// </summary>
    public TimeSpan BatchAckTimeout { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How long a node keeps the storage of a partition the ring no longer gives it, in case it gets it back (then its
    /// replica catches up on what it missed instead of copying the whole partition); zero drops it at once
    /// (<c>kvactors.store.keep-lost-partitions-for</c>).
    /// </summary>
    public TimeSpan KeepLostPartitionsFor { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>These settings with the value limits of <paramref name="storage"/>.</summary>
    public ShardSettings WithLimitsOf(StorageSettings storage) => this with { MaxKeySize = storage.MaxKeySize, MaxValueSize = storage.MaxValueSize };
}
