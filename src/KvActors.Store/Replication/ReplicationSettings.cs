namespace KvActors.Store.Replication;

/// <summary>
/// Timing and size limits of the replication protocol. All times are milliseconds of the caller's monotonic clock
/// (virtual in the simulation, real in the actors); nothing here reads a clock.
/// </summary>
/// <remarks>
/// The lease rule, and why it leaves at most one primary serving reads:
/// <list type="bullet">
/// <item>A primary holds its lease while, for every in-sync replica, it has an acknowledgement of a message it sent less
/// than <see cref="LeasePeriodMs"/> ago (measured from the <em>send</em> time, so message delay only shortens it).</item>
/// <item>A replica acknowledges (grants) only the primary of the epoch it has adopted; once it adopts a newer epoch, or
/// suspects or is told to revoke, it never grants that primary again. So the old lease ends at most
/// <see cref="LeasePeriodMs"/> after the replica's last grant.</item>
/// <item>A newly promoted primary serves nothing until <see cref="LeasePeriodMs"/> + <see cref="LeaseMarginMs"/> after its
/// own last grant to any other primary. It was an in-sync replica of every primary that might still think it holds a
/// lease, so that lease needed its grants and has ended. The configuration manager also waits out the lease before it
/// promotes (see <see cref="ConfigurationManager"/>).</item>
/// <item><see cref="GracePeriodMs"/> &gt;= <see cref="LeasePeriodMs"/> + <see cref="LeaseMarginMs"/>: a replica that
/// suspects the primary last granted at least the grace period ago, so the primary's lease from it has already run out
/// by the margin when the suspicion is reported; promotion then needs no further wait. The margin absorbs clock-rate
/// differences between nodes (at a drift rate r it must be at least r * (grace + lease)) and scheduling slack.</item>
/// </list>
/// </remarks>
public sealed record ReplicationSettings
{
    /// <summary>How long an acknowledged message keeps the primary's lease (from the time the primary sent it).</summary>
    public long LeasePeriodMs { get; init; } = 800;

    /// <summary>Clock-drift and scheduling slack added to every wait that relies on another node's lease running out.</summary>
    public long LeaseMarginMs { get; init; } = 200;

    /// <summary>A replica that has heard nothing from its primary for this long suspects it and stops granting it a lease.</summary>
    public long GracePeriodMs { get; init; } = 1200;

    /// <summary>The primary sends each replica at least one message (entries or an empty heartbeat) this often.</summary>
    public long HeartbeatIntervalMs { get; init; } = 200;

    /// <summary>
    /// A heartbeat due within this long is sent with the current tick. A node ticks its partitions together on a shared
    /// grid (fewer wake-ups, one batch per destination); without the slack, a heartbeat a few ms short of due at one grid
    /// point would wait for the next, stretching the interval by a whole tick.
    /// </summary>
    public long HeartbeatSlackMs { get; init; } = 50;

    /// <summary>An in-sync replica that neither acknowledges nor makes progress for this long is reported silent.</summary>
    public long AckTimeoutMs { get; init; } = 1000;

    /// <summary>Reports to the configuration manager (silent, caught up, suspected, join) are repeated this often until acted on.</summary>
    public long ReportIntervalMs { get; init; } = 250;

    /// <summary>After the first suspicion report, how long the manager keeps collecting prepared seqs before it promotes.</summary>
    public long PromotionCollectMs { get; init; } = 200;

    /// <summary>A failover nobody answers (no in-sync replica reachable) is abandoned after this long, so the primary's own reports count again.</summary>
    public long FailoverGiveUpMs { get; init; } = 10_000;

    /// <summary>The manager re-sends the current configuration to every known node this often (publications can be lost).</summary>
    public long RepublishIntervalMs { get; init; } = 1000;

    /// <summary>Most log entries in one Prepare or CatchUpData message.</summary>
    public int MaxBatchEntries { get; init; } = 256;

    /// <summary>
    /// Most bytes of keys and values in one Prepare or CatchUpData message (one larger entry still goes alone): a message
    /// must fit in one Akka.Remote frame (4 MiB in reference.conf) whatever the values' sizes.
    /// </summary>
    public long MaxBatchBytes { get; init; } = 512 << 10;

    /// <summary>Most prepared-but-uncommitted entries at the primary; further writes are answered Retry (back-pressure).</summary>
    public int MaxUncommitted { get; init; } = 4096;

    /// <summary>A replica takes a snapshot every this many commits and then drops the log before its previous snapshot.</summary>
    public int SnapshotEveryCommits { get; init; } = 10_000;

    /// <summary>
    /// Committed entries a replica keeps in memory behind its commit point besides those a replica it sends to still
    /// needs (see PartitionReplica.TrimLog). The log on disk still reaches back to the previous snapshot.
    /// </summary>
    /// <remarks>
    /// Small on purpose: a kept entry (with its key) outlives a young-generation collection, is copied by it, then dies,
    /// and such middle-aged garbage is what the GC handles worst (at 64, with the RESP connections' completed commands,
    /// it was about half of what each collection copied; the benchmarks' README has the figures). A replica further
    /// behind reads the log on disk, which costs about what it returns.
    /// </remarks>
    public int CommittedEntriesInMemory { get; init; } = 8;

    /// <summary>Answers kept per client for duplicate requests (its most recent request ids).</summary>
    public int RequestsKeptPerClient { get; init; } = 32;

    /// <summary>Clients whose answers are kept (least recently written client evicted first).</summary>
    public int ClientsKept { get; init; } = 100_000;

    /// <summary>
    /// Most expired keys a serving primary deletes per tick (soonest expiry first), each as a replicated Delete
    /// (kvactors.store.expiry-deletes-per-tick). 0 = only on access.
    /// </summary>
    public int ExpiryDeletesPerTick { get; init; } = 20;

    /// <summary>Returns these settings, or throws <see cref="ArgumentException"/> naming the rule they break.</summary>
    public ReplicationSettings Validated()
    {
        Positive(LeasePeriodMs, nameof(LeasePeriodMs));
        Positive(HeartbeatIntervalMs, nameof(HeartbeatIntervalMs));
        Positive(AckTimeoutMs, nameof(AckTimeoutMs));
        Positive(ReportIntervalMs, nameof(ReportIntervalMs));
        Positive(RepublishIntervalMs, nameof(RepublishIntervalMs));
        Positive(FailoverGiveUpMs, nameof(FailoverGiveUpMs));
        Positive(MaxBatchEntries, nameof(MaxBatchEntries));
        Positive(MaxBatchBytes, nameof(MaxBatchBytes));
        Positive(MaxUncommitted, nameof(MaxUncommitted));
        Positive(SnapshotEveryCommits, nameof(SnapshotEveryCommits));
        Positive(CommittedEntriesInMemory, nameof(CommittedEntriesInMemory));
        Positive(RequestsKeptPerClient, nameof(RequestsKeptPerClient));
        Positive(ClientsKept, nameof(ClientsKept));
        if (ExpiryDeletesPerTick < 0)
            throw new ArgumentException($"ExpiryDeletesPerTick must not be negative, got {ExpiryDeletesPerTick}.");
        if (HeartbeatSlackMs < 0 || HeartbeatSlackMs >= HeartbeatIntervalMs)
            throw new ArgumentException($"HeartbeatSlackMs ({HeartbeatSlackMs}) must be at least 0 and less than HeartbeatIntervalMs ({HeartbeatIntervalMs}).");
        if (LeaseMarginMs < 0 || PromotionCollectMs < 0)
            throw new ArgumentException("LeaseMarginMs and PromotionCollectMs must not be negative.");
        if (GracePeriodMs < LeasePeriodMs + LeaseMarginMs)
            throw new ArgumentException($"GracePeriodMs ({GracePeriodMs}) must be at least LeasePeriodMs + LeaseMarginMs ({LeasePeriodMs + LeaseMarginMs}).");
        if (2 * HeartbeatIntervalMs > LeasePeriodMs)
            throw new ArgumentException($"HeartbeatIntervalMs ({HeartbeatIntervalMs}) must be at most half of LeasePeriodMs ({LeasePeriodMs}), so a lease is renewed before it runs out.");
        return this;
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
            throw new ArgumentException($"{name} must be positive, got {value}.");
    }
}
