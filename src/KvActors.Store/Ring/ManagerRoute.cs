using Akka.Actor;

namespace KvActors.Store.Ring;

/// <summary>
/// Published on the node's local EventStream by its <see cref="RingKeeper"/> when it applies a ring: the RingManager
/// that published it, the one acting now. Local only: it never crosses the wire.
/// </summary>
public sealed record ActingManager(IActorRef Manager);

/// <summary>
/// One per node at <see cref="RingPaths.RoutePath"/> (what <see cref="RingHost.Start"/> returns): forwards what is sent
/// to the RingManager (reports from the partitions, <c>GetRing</c>) to the manager that published the ring this node
/// applied last, or, before any, to the singleton proxy. The proxy alone would send to the singleton on the oldest
/// member even while that member is unreachable and a deputy manager (<see cref="RingDeputy"/>) is acting; once the
/// deputy's first ring is applied here, reports reach it. The acting manager is watched: once it stops (a deputy that
/// stood down, a singleton handed over, its node removed) the route falls back to the proxy until the next ring is
/// applied, rather than sending reports to an actor that is gone. The sender is kept (Forward).
/// </summary>
public sealed class ManagerRoute : ReceiveActor
{
    private readonly IActorRef _proxy;
    private IActorRef? _acting;

    public ManagerRoute(IActorRef proxy)
    {
        _proxy = proxy;
        Receive<ActingManager>(OnActing);
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_acting)) _acting = null;
        });
        ReceiveAny(m => (_acting ?? _proxy).Forward(m));
    }

    public static Props Props(IActorRef proxy) => Akka.Actor.Props.Create(() => new ManagerRoute(proxy));

    private void OnActing(ActingManager message)
    {
        var manager = message.Manager.IsNobody() ? null : message.Manager;
        if (Equals(manager, _acting)) return;
        if (_acting is not null) Context.Unwatch(_acting);
        _acting = manager;
        if (_acting is not null) Context.Watch(_acting);
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ActingManager));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
