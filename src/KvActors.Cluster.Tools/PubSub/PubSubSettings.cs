using KvActors.Actor;
using KvActors.Hocon;

namespace KvActors.Cluster.Tools.PubSub;

/// <summary>kvactors.cluster.pub-sub: the distributed pub-sub mediator.</summary>
public sealed record DistributedPubSubSettings
{
    /// <summary>The mediator's name under /system.</summary>
    public string Name { get; init; } = "distributedPubSubMediator";
    /// <summary>Only members with this role take part (null = every member).</summary>
    public string? Role { get; init; }
    /// <summary>How often the registry is gossiped to one random other member.</summary>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a removal (tombstone) is kept so it can spread before it is forgotten.</summary>
    public TimeSpan RemovedTimeToLive { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>The most registry entries in one gossip delta.</summary>
    public int MaxDeltaElements { get; init; } = 3000;

    public static DistributedPubSubSettings Default { get; } = new();

    public static DistributedPubSubSettings Create(ActorSystem system) => FromConfig(system.Config);

    public static DistributedPubSubSettings FromConfig(Config config)
    {
        const string p = "kvactors.cluster.pub-sub.";
        var d = Default;
        var role = config.GetString(p + "role", "");
        var max = config.GetInt(p + "max-delta-elements", d.MaxDeltaElements);
        if (max < 1) throw new ArgumentException($"{p}max-delta-elements must be at least 1; it is {max}.");
        return new DistributedPubSubSettings
        {
            Name = config.GetString(p + "name", d.Name),
            Role = role.Length == 0 ? null : role,
            GossipInterval = config.GetTimeSpan(p + "gossip-interval", d.GossipInterval),
            RemovedTimeToLive = config.GetTimeSpan(p + "removed-time-to-live", d.RemovedTimeToLive),
            MaxDeltaElements = max,
        };
    }
}
