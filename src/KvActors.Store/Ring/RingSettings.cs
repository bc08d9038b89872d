using Akka.Configuration;
using KvActors.Store.Configuration;
using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>
/// The ring's settings: <c>kvactors.store.*</c>, with <c>kvactors.cluster.min-nr-of-members</c> (the first ring
/// waits for that many Up members) and <c>kvactors.node.data-dir</c> (the keeper's file lives under it).
/// </summary>
/// <remarks>
/// <see cref="FailoverAfter"/> and the replication lease: a primary serves reads only while it holds a lease, which
/// needs an acknowledgement from every in-sync replica less than the lease period old (ReplicationSettings,
/// LeasePeriodMs + LeaseMarginMs = 800 + 200 ms by default). The RingManager fails a primary over once it has seen it
/// unreachable for <see cref="FailoverAfter"/>. When the primary is cut off from everybody (crash, isolation), the
/// replicas stopped granting before the manager saw it unreachable, so with FailoverAfter &gt;= lease period + margin
/// the old lease has run out before the new primary is even named. When only the manager lost it (a partial
/// partition) the replicas may still be granting; the new primary's own wait (it serves nothing until lease period +
/// margin after its last grant to the old one) covers that case. Keep FailoverAfter at least the lease period plus its
/// margin (<see cref="LeaseProblem"/>): shorter only promotes a primary that must then wait anyway, and costs more
/// needless failovers on a brief blip.
/// </remarks>
public sealed record RingSettings
{
    public const string Section = "kvactors.store";
    public const string MinMembersKey = "kvactors.cluster.min-nr-of-members";
    public const string DataDirKey = "kvactors.node.data-dir";

    /// <summary>P: partitions of a new cluster; a node configured otherwise than the cluster's ring is refused.</summary>
    public int Partitions { get; init; } = PartitionCountRule.Default;

    /// <summary>Replicas wanted per partition (each gets min(RF, members)).</summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>The first ring is formed only once this many members are Up.</summary>
    public int MinMembers { get; init; } = 1;

    /// <summary>How long a primary must have been unreachable before the RingManager promotes an in-sync replica.</summary>
    public TimeSpan FailoverAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A starting RingManager forms its first ring from the last rings of every Up member; after this long it settles
    /// for a majority of them.
    /// </summary>
    public TimeSpan LastRingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The RingManager sends the current ring to every member again this often (a publication can be lost).</summary>
    public TimeSpan RepublishInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long this node's partitions' last suspicion of the RingManager's host as their primary keeps the next oldest
    /// member's deputy manager acting (<see cref="RingDeputy"/>); zero: the deputy acts on Akka's unreachability alone.
    /// </summary>
    public TimeSpan DeputySuspicionHold { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>This node's data directory; the keeper's file is <see cref="RingPaths.RingFile"/> under it.</summary>
    public string DataDir { get; init; } = "data";

    /// <summary>
    /// How often the RingManager looks at its clock (failover deadlines, the collection timeout) and applies the reports
    /// gathered since its last tick. A tenth of failover-after: a report waits at most that long (100 ms by default)
    /// before the ring it causes is published; the tick itself costs next to nothing on the one node that runs it.
    /// </summary>
    public TimeSpan TickInterval =>
        TimeSpan.FromMilliseconds(Math.Clamp(FailoverAfter.TotalMilliseconds / 10, 20, 250));

    /// <summary>Binds <c>kvactors.store.*</c>, the minimum of members and the data directory; errors are one sentence naming the key.</summary>
    public static RingSettings From(SettingReader read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var partitionsKey = $"{Section}.partitions";
        var partitions = read.GetInt(partitionsKey, 1, PartitionCountRule.Max);
        if (!PartitionCountRule.IsValid(partitions))
            throw read.Layered.Error(partitionsKey, $"expected a power of two between 1 and {PartitionCountRule.Max}, got {partitions}.");
        return new RingSettings
        {
            Partitions = partitions,
            ReplicationFactor = read.GetInt($"{Section}.replication-factor", 1),
            MinMembers = read.GetInt(MinMembersKey, 1),
            FailoverAfter = read.GetDuration($"{Section}.failover-after", TimeSpan.FromMilliseconds(1)),
            LastRingTimeout = read.GetDuration($"{Section}.last-ring-timeout", TimeSpan.FromMilliseconds(1)),
            RepublishInterval = read.GetDuration($"{Section}.republish-interval", TimeSpan.FromMilliseconds(10)),
            DeputySuspicionHold = read.GetDuration($"{Section}.deputy-suspicion-hold", TimeSpan.Zero),
            DataDir = read.GetString(DataDirKey),
        };
    }

    /// <summary>Binds a plain configuration (e.g. an actor system's), reporting errors as coming from <paramref name="source"/>.</summary>
    public static RingSettings From(Config config, string source = "configuration") =>
        From(new SettingReader(new LayeredConfig([new ConfigLayer(source, config)])));

    /// <summary>
    /// Null when <see cref="FailoverAfter"/> lets the old primary's lease run out first (see the remarks), else why not:
    /// for the node's startup to check against the replication settings it runs with.
    /// </summary>
    public string? LeaseProblem(TimeSpan leasePeriod, TimeSpan leaseMargin) =>
        FailoverAfter >= leasePeriod + leaseMargin
            ? null
            : $"{Section}.failover-after ({FailoverAfter.TotalMilliseconds} ms) must be at least the replication lease period plus its margin ({(leasePeriod + leaseMargin).TotalMilliseconds} ms), so a primary is replaced only once its lease has run out.";

    /// <summary>The settings the RingManager's pure core runs with.</summary>
    public RingManagerCore.Options CoreOptions => new(Partitions, ReplicationFactor, MinMembers, FailoverAfter, LastRingTimeout);
}
