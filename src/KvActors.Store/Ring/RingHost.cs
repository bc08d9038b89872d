using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace KvActors.Store.Ring;

/// <summary>Starts the ring's actors on a node (kvnode calls it once at startup, after the actor system is up).</summary>
public static class RingHost
{
    /// <summary>
    /// Starts this node's <see cref="RingKeeper"/> (<see cref="RingPaths.KeeperPath"/>), the ClusterSingletonManager that
    /// runs the <see cref="RingManager"/> on the oldest member (<see cref="RingPaths.ManagerPath"/>), a
    /// ClusterSingletonProxy to it (<see cref="RingPaths.ProxyPath"/>), the <see cref="RingDeputy"/> and the
    /// <see cref="ManagerRoute"/> (<see cref="RingPaths.RoutePath"/>), and returns the route: send it <c>GetRing</c>,
    /// <c>ReplicaSilent</c>, <c>LearnerCaughtUp</c> and <c>PrimarySuspected</c>. The keeper is started first, so it
    /// answers the manager's first question.
    /// </summary>
    public static IActorRef Start(ActorSystem system, RingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        system.ActorOf(RingKeeper.Props(settings), RingPaths.KeeperName);
        system.ActorOf(
            ClusterSingletonManager.Props(
                RingManager.Props(settings),
                PoisonPill.Instance,
                ManagerSettings(system)),
            RingPaths.ManagerName);
        var proxy = system.ActorOf(
            ClusterSingletonProxy.Props(
                RingPaths.ManagerPath,
                ClusterSingletonProxySettings.Create(system).WithSingletonName(RingPaths.SingletonName)),
            RingPaths.ProxyName);
        system.ActorOf(RingDeputy.Props(settings), RingPaths.DeputyName);
        return system.ActorOf(ManagerRoute.Props(proxy), RingPaths.RouteName);
    }

    /// <summary>
    /// Akka.NET's <c>ClusterSingletonManagerSettings.Create(system)</c> reads <c>akka.cluster.singleton</c> but then
    /// replaces its <c>removal-margin</c> with the downing provider's margin (the split-brain resolver's stable-after),
    /// so the configured margin would be silently ignored; it is applied here when it is set.
    /// </summary>
    internal static ClusterSingletonManagerSettings ManagerSettings(ActorSystem system)
    {
        var settings = ClusterSingletonManagerSettings.Create(system).WithSingletonName(RingPaths.SingletonName);
        var configured = system.Settings.Config.GetTimeSpan("akka.cluster.singleton.removal-margin", TimeSpan.Zero);
        return configured > TimeSpan.Zero ? settings.WithRemovalMargin(configured) : settings;
    }
}
