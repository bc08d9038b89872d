using KvActors.Actor;
using KvActors.Hocon;

namespace KvActors.Cluster.Tools.Singleton;

/// <summary>kvactors.cluster.singleton: how a <see cref="ClusterSingletonManager"/> runs its singleton.</summary>
public sealed record ClusterSingletonManagerSettings
{
    /// <summary>The name of the singleton child of the manager.</summary>
    public string SingletonName { get; init; } = "singleton";
    /// <summary>Only members with this role run it (null = every member).</summary>
    public string? Role { get; init; }
    /// <summary>How often the new oldest repeats HandOverToMe and the previous oldest TakeOverFromMe.</summary>
    public TimeSpan HandOverRetryInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>After a previous oldest is Removed (crash, downing), wait this long more before starting the singleton.</summary>
    public TimeSpan RemovalMargin { get; init; } = TimeSpan.FromSeconds(1);

    public static ClusterSingletonManagerSettings Default { get; } = new();

    public static ClusterSingletonManagerSettings Create(ActorSystem system) => FromConfig(system.Config);

    public static ClusterSingletonManagerSettings FromConfig(Config config)
    {
        const string p = "kvactors.cluster.singleton.";
        var d = Default;
        var role = config.GetString(p + "role", "");
        return new ClusterSingletonManagerSettings
        {
            SingletonName = config.GetString(p + "singleton-name", d.SingletonName),
            Role = role.Length == 0 ? null : role,
            HandOverRetryInterval = config.GetTimeSpan(p + "hand-over-retry-interval", d.HandOverRetryInterval),
            RemovalMargin = config.GetTimeSpan(p + "removal-margin", d.RemovalMargin),
        };
    }

    public ClusterSingletonManagerSettings WithRole(string? role) => this with { Role = string.IsNullOrEmpty(role) ? null : role };
}

/// <summary>kvactors.cluster.singleton-proxy: how a <see cref="ClusterSingletonProxy"/> finds the singleton.</summary>
public sealed record ClusterSingletonProxySettings
{
    /// <summary>The singleton's name under its manager (as in the manager's settings).</summary>
    public string SingletonName { get; init; } = "singleton";
    /// <summary>The singleton runs on the oldest member with this role (null = every member).</summary>
    public string? Role { get; init; }
    /// <summary>How often the proxy sends Identify while it does not know the singleton.</summary>
    public TimeSpan SingletonIdentificationInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Messages kept while the singleton is unknown; when full the oldest is dropped (0 = keep none).</summary>
    public int BufferSize { get; init; } = 1000;

    public static ClusterSingletonProxySettings Default { get; } = new();

    public static ClusterSingletonProxySettings Create(ActorSystem system) => FromConfig(system.Config);

    public static ClusterSingletonProxySettings FromConfig(Config config)
    {
        const string p = "kvactors.cluster.singleton-proxy.";
        var d = Default;
        var role = config.GetString(p + "role", "");
        var size = config.GetInt(p + "buffer-size", d.BufferSize);
        if (size is < 0 or > 10000)
            throw new ArgumentException($"{p}buffer-size must be between 0 and 10000; it is {size}.");
        return new ClusterSingletonProxySettings
        {
            SingletonName = config.GetString(p + "singleton-name", d.SingletonName),
            Role = role.Length == 0 ? null : role,
            SingletonIdentificationInterval = config.GetTimeSpan(p + "singleton-identification-interval", d.SingletonIdentificationInterval),
            BufferSize = size,
        };
    }

    public ClusterSingletonProxySettings WithRole(string? role) => this with { Role = string.IsNullOrEmpty(role) ? null : role };
}
