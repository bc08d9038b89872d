using Akka.Actor;
using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>
/// Where the ring's actors live on every node (started by <see cref="RingHost.Start"/>) and where the keeper keeps its
/// file. Anyone, a non-member client included, may send <c>GetRing</c> to <see cref="ProxyPath"/> on any node (the
/// RingManager answers, through its proxy) or to <see cref="KeeperPath"/> (that node answers with the ring it applied last).
/// </summary>
public static class RingPaths
{
    /// <summary>The node's <see cref="RingKeeper"/>: <c>/user/ring-keeper</c>.</summary>
    public const string KeeperName = "ring-keeper";
    public const string KeeperPath = "/user/" + KeeperName;

    /// <summary>The ClusterSingletonManager of the RingManager: <c>/user/ring-manager</c>; the RingManager itself runs as its child <see cref="SingletonName"/> on the oldest member.</summary>
    public const string ManagerName = "ring-manager";
    public const string ManagerPath = "/user/" + ManagerName;
    public const string SingletonName = "ring";

    /// <summary>The node's <see cref="ManagerRoute"/> to the acting RingManager: <c>/user/ring-route</c>.</summary>
    public const string RouteName = "ring-route";
    public const string RoutePath = "/user/" + RouteName;

    /// <summary>The node's <see cref="RingDeputy"/>, which runs a deputy RingManager while the singleton's host is unreachable: <c>/user/ring-deputy</c>.</summary>
    public const string DeputyName = "ring-deputy";

    /// <summary>The ClusterSingletonProxy to the RingManager on every node: <c>/user/ring-proxy</c>.</summary>
    public const string ProxyName = "ring-proxy";
    public const string ProxyPath = "/user/" + ProxyName;

    /// <summary>The keeper's file, relative to the node's data directory: <c>ring/current</c>.</summary>
    public static string RingFile(string dataDir) => Path.Combine(dataDir, "ring", "current");

    /// <summary>The keeper's file of a proposed ring it accepted and has not applied yet: <c>ring/accepted</c>.</summary>
    public static string AcceptedFile(string dataDir) => Path.Combine(dataDir, "ring", "accepted");

    /// <summary>The keeper on the node at <paramref name="node"/>.</summary>
    public static ActorPath KeeperOf(Address node) => new RootActorPath(node) / "user" / KeeperName;

    /// <summary>The ring's name for the node at <paramref name="address"/>: its "host:port".</summary>
    public static NodeId NodeIdOf(Address address) =>
        address.Host is { Length: > 0 } host && address.Port is { } port
            ? new NodeId($"{host}:{port}")
            : throw new ArgumentException($"{address} has no host and port, so it cannot hold replicas (is the actor system clustered?).", nameof(address));
}
