using KvActors.Store.Replication;

namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>Shape of one simulated run: cluster size, load, network and fault rates (times in virtual ms).</summary>
public sealed record SimulationOptions
{
    /// <summary>Protocol timings scaled down so that many failovers fit in a few virtual seconds; the ratios are the real ones.</summary>
    public static ReplicationSettings ScaledSettings { get; } = new ReplicationSettings
    {
        LeasePeriodMs = 150,
        LeaseMarginMs = 30,
        GracePeriodMs = 250,
        HeartbeatIntervalMs = 40,
        HeartbeatSlackMs = 10,
        AckTimeoutMs = 200,
        ReportIntervalMs = 50,
        PromotionCollectMs = 60,
        FailoverGiveUpMs = 2_000,
        RepublishIntervalMs = 400,
        MaxBatchEntries = 8,
        MaxUncommitted = 64,
        SnapshotEveryCommits = 12,
        CommittedEntriesInMemory = 4, // below the snapshot interval: returning replicas read the log on disk
        RequestsKeptPerClient = 64,
        ClientsKept = 64,
    }.Validated();

    public ReplicationSettings Settings { get; init; } = ScaledSettings;

    /// <summary>
    /// False: the replication layer's per-partition <see cref="ConfigurationManager"/> configures the replicas (it
    /// revokes leases before a failover). True: the production RingManager's logic does (<see cref="SimRingManager"/>:
    /// failover on unreachability after the lease period, on the replicas' suspicion, downing and rejoining members), and
    /// a node drops its replica while a ring leaves it out, then recreates it from its disk.
    /// </summary>
    public bool RingManager { get; init; }
    public int Replicas { get; init; } = 3;
    public int Clients { get; init; } = 3;
    public int Keys { get; init; } = 4;

    /// <summary>Events processed with faults on; then everything heals and the run settles.</summary>
    public int Steps { get; init; } = 2_000;

    public long TickMs { get; init; } = 20;

    /// <summary>
    /// True: each replica ticks only when its core says it needs to (<see cref="PartitionReplica.NextTickAt"/>, rounded
    /// up to its tick grid), as the actor shell does. False: at every grid point, which also checks that the ticks the
    /// shell skips would have done nothing.
    /// </summary>
    public bool TickOnDeadline { get; init; } = true;

    /// <summary>Each node's clock runs at a random rate within 1 +- this (the lease margin must cover it); offsets are random.</summary>
    public double ClockDrift { get; init; } = 0.02;
    public long MinDelayMs { get; init; } = 1;
    public long MaxDelayMs { get; init; } = 12;
    public double DropRate { get; init; } = 0.03;
    public double DuplicateRate { get; init; } = 0.02;
    public double ReorderRate { get; init; } = 0.03;
    public long ReorderExtraMs { get; init; } = 150;

    /// <summary>A fault is considered about this often; the weights below say which (the rest of the time, none).</summary>
    public long FaultIntervalMs { get; init; } = 120;
    public double CrashChance { get; init; } = 0.15;
    public double IsolateChance { get; init; } = 0.15;
    public double LinkCutChance { get; init; } = 0.2;
    public double ManagerCutChance { get; init; } = 0.08;
    public long RestartMinMs { get; init; } = 50;
    public long RestartMaxMs { get; init; } = 1_500;
    public long CutMinMs { get; init; } = 50;
    public long CutMaxMs { get; init; } = 1_200;

    public long AliveIntervalMs { get; init; } = 40;
    public long DetectorTimeoutMs { get; init; } = 300;

    public long ClientTimeoutMs { get; init; } = 250;
    public long ClientBackoffMs { get; init; } = 15;
    public long ClientThinkMaxMs { get; init; } = 15;
    public double StaleReadShare { get; init; } = 0.1;

    /// <summary>After the faulty phase: how long (virtual) the healed system may take to finish every request and converge.</summary>
    public long SettleMs { get; init; } = 30_000;
}
