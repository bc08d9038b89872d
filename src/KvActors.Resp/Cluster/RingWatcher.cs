using Akka.Actor;
using KvActors.Store.Ring;
using KvActors.Store.Wire.Ring;

namespace KvActors.Resp.Cluster;

/// <summary>
/// Keeps a <see cref="ClusterTopology"/> on the node's current ring: asks the local <c>/user/ring-keeper</c> once at
/// start, then follows <see cref="RingApplied"/> on the node's EventStream. Local only.
/// </summary>
public sealed class RingWatcher : ReceiveActor
{
    public RingWatcher(ClusterTopology topology)
    {
        Receive<RingApplied>(m => topology.Offer(m.Ring));
        Receive<RingReply>(m =>
        {
            if (RingWire.FromProtoOrNull(m.Ring) is { } ring) topology.Offer(ring);
        });
    }

    public static Props Props(ClusterTopology topology) => Akka.Actor.Props.Create(() => new RingWatcher(topology));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(RingApplied));
        Context.ActorSelection(RingPaths.KeeperPath).Tell(new GetRing(), Self);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
