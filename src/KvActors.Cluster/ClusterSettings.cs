using KvActors.Cluster.SplitBrain;
using KvActors.Hocon;
using KvActors.Remote.FailureDetection;

namespace KvActors.Cluster;

/// <summary>
/// Every knob of the cluster layer with the defaults of hocon/reference.conf (kvactors.cluster).
/// Construct directly in tests; <see cref="FromConfig"/> reads HOCON.
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>Addresses (kvactors.tcp://system@host:port) tried when joining; empty = join manually.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];
    public TimeSpan SeedNodeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Null = never retry automatically.</summary>
    public TimeSpan? RetryUnsuccessfulJoinAfter { get; init; } = TimeSpan.FromSeconds(10);
    public int MinNrOfMembers { get; init; } = 1;
    public IReadOnlyList<string> Roles { get; init; } = [];
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Received gossip older than this (time in the daemon's mailbox) is dropped.</summary>
    public TimeSpan GossipTimeToLive { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Probability of preferring a member that has not seen the current gossip.</summary>
    public double GossipDifferentViewProbability { get; init; } = 0.8;
    public TimeSpan LeaderActionsInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan UnreachableNodesReaperInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Null = WeaklyUp disabled.</summary>
    public TimeSpan? AllowWeaklyUpMembers { get; init; } = TimeSpan.FromSeconds(7);
    public TimeSpan PruneGossipTombstonesAfter { get; init; } = TimeSpan.FromHours(24);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan ExpectedResponseAfter { get; init; } = TimeSpan.FromSeconds(1);
    public int MonitoredByNrOfMembers { get; init; } = 9;
    public PhiAccrualSettings FailureDetector { get; init; } = new()
    {
        Threshold = 10.0,
        MaxSampleSize = 1000,
        MinStdDeviation = TimeSpan.FromMilliseconds(100),
        AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(1500),
        FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(500),
    };

    public SplitBrainResolverSettings SplitBrainResolver { get; init; } = new();

    public static ClusterSettings Default { get; } = new();

    public LeaderSettings LeaderSettings => new() { MinNrOfMembers = MinNrOfMembers, WeaklyUpAfter = AllowWeaklyUpMembers };

    public static ClusterSettings FromConfig(Config config)
    {
        const string p = "kvactors.cluster.";
        var d = Default;
        var sbr = d.SplitBrainResolver;
        const string f = p + "failure-detector.";
        const string s = p + "split-brain-resolver.";
        return new ClusterSettings
        {
            SeedNodes = config.HasPath(p + "seed-nodes") ? config.GetStringList(p + "seed-nodes") : d.SeedNodes,
            SeedNodeTimeout = config.GetTimeSpan(p + "seed-node-timeout", d.SeedNodeTimeout),
            RetryUnsuccessfulJoinAfter = OptionalDuration(config, p + "retry-unsuccessful-join-after", d.RetryUnsuccessfulJoinAfter),
            MinNrOfMembers = config.GetInt(p + "min-nr-of-members", d.MinNrOfMembers),
            Roles = config.HasPath(p + "roles") ? config.GetStringList(p + "roles") : d.Roles,
            GossipInterval = config.GetTimeSpan(p + "gossip-interval", d.GossipInterval),
            GossipTimeToLive = config.GetTimeSpan(p + "gossip-time-to-live", d.GossipTimeToLive),
            GossipDifferentViewProbability = config.GetDouble(p + "gossip-different-view-probability", d.GossipDifferentViewProbability),
            LeaderActionsInterval = config.GetTimeSpan(p + "leader-actions-interval", d.LeaderActionsInterval),
            UnreachableNodesReaperInterval = config.GetTimeSpan(p + "unreachable-nodes-reaper-interval", d.UnreachableNodesReaperInterval),
            AllowWeaklyUpMembers = OptionalDuration(config, p + "allow-weakly-up-members", d.AllowWeaklyUpMembers),
            PruneGossipTombstonesAfter = config.GetTimeSpan(p + "prune-gossip-tombstones-after", d.PruneGossipTombstonesAfter),
            HeartbeatInterval = config.GetTimeSpan(f + "heartbeat-interval", d.HeartbeatInterval),
            ExpectedResponseAfter = config.GetTimeSpan(f + "expected-response-after", d.ExpectedResponseAfter),
            MonitoredByNrOfMembers = config.GetInt(f + "monitored-by-nr-of-members", d.MonitoredByNrOfMembers),
            // The first estimate of the interval is the heartbeat interval itself.
            FailureDetector = PhiAccrualSettings.FromConfig(config, f, "heartbeat-interval", d.FailureDetector with { FirstHeartbeatEstimate = d.HeartbeatInterval }),
            SplitBrainResolver = new SplitBrainResolverSettings
            {
                ActiveStrategy = config.GetString(s + "active-strategy", sbr.ActiveStrategy),
                StableAfter = config.GetTimeSpan(s + "stable-after", sbr.StableAfter),
                DownAllWhenUnstable = DownAllWhenUnstable(config, s + "down-all-when-unstable", config.GetTimeSpan(s + "stable-after", sbr.StableAfter)),
                StaticQuorumSize = config.GetInt(s + "static-quorum.quorum-size", sbr.StaticQuorumSize),
                StaticQuorumRole = NullIfEmpty(config.GetString(s + "static-quorum.role", "")),
                KeepMajorityRole = NullIfEmpty(config.GetString(s + "keep-majority.role", "")),
                KeepOldestDownIfAlone = config.GetBool(s + "keep-oldest.down-if-alone", sbr.KeepOldestDownIfAlone),
                KeepOldestRole = NullIfEmpty(config.GetString(s + "keep-oldest.role", "")),
            },
        }.Validated();
    }

    /// <summary>Throws one plain sentence for a setting that cannot work.</summary>
    public ClusterSettings Validated()
    {
        static void Positive(TimeSpan t, string key)
        {
            if (t <= TimeSpan.Zero) throw new ArgumentException($"kvactors.cluster.{key} must be a positive duration, not {t}.");
        }
        if (MinNrOfMembers < 1) throw new ArgumentException($"kvactors.cluster.min-nr-of-members must be at least 1, not {MinNrOfMembers}.");
        if (MonitoredByNrOfMembers < 1) throw new ArgumentException("kvactors.cluster.failure-detector.monitored-by-nr-of-members must be at least 1.");
        if (GossipDifferentViewProbability is < 0 or > 1) throw new ArgumentException("kvactors.cluster.gossip-different-view-probability must be between 0 and 1.");
        Positive(GossipInterval, "gossip-interval");
        Positive(LeaderActionsInterval, "leader-actions-interval");
        Positive(UnreachableNodesReaperInterval, "unreachable-nodes-reaper-interval");
        Positive(HeartbeatInterval, "failure-detector.heartbeat-interval");
        Positive(SplitBrainResolver.StableAfter, "split-brain-resolver.stable-after");
        if (SplitBrainResolver.ActiveStrategy is not ("keep-majority" or "static-quorum" or "keep-oldest" or "down-all" or "off"))
            throw new ArgumentException($"kvactors.cluster.split-brain-resolver.active-strategy '{SplitBrainResolver.ActiveStrategy}' is not one of keep-majority, static-quorum, keep-oldest, down-all, off.");
        if (SplitBrainResolver.StaticQuorumSize < 1) throw new ArgumentException("kvactors.cluster.split-brain-resolver.static-quorum.quorum-size must be at least 1.");
        FailureDetector.Validate();
        return this;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private static bool IsOff(Config config, string path) =>
        config.HasPath(path) && config.GetString(path).Trim().ToLowerInvariant() is "off" or "false" or "no";

    private static TimeSpan? OptionalDuration(Config config, string path, TimeSpan? @default) =>
        !config.HasPath(path) ? @default : IsOff(config, path) ? null : config.GetTimeSpan(path);

    /// <summary>on = stable-after * 3/4 (Akka's default), off = never, or a duration.</summary>
    private static TimeSpan? DownAllWhenUnstable(Config config, string path, TimeSpan stableAfter)
    {
        if (!config.HasPath(path)) return stableAfter * 3 / 4;
        if (IsOff(config, path)) return null;
        var text = config.GetString(path).Trim().ToLowerInvariant();
        if (text is "on" or "true" or "yes") return stableAfter * 3 / 4;
        return config.GetTimeSpan(path);
    }
}
