using Akka.Actor;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Wire.Ring;

namespace KvActors.Client;

/// <summary>
/// The <see cref="KvClient"/>'s subscription to ring changes: it subscribes at the ring keepers of a few nodes
/// (<see cref="Follow"/>, repeated by the client's refresh timer, which renews the leases) and hands every ring they push
/// to <c>onRing</c>. With it a client routes by a new ring as soon as a node applies it, instead of at its next poll or
/// after a request to a dead primary timed out. Pushes from several nodes carry the same ring; the client keeps the newest.
/// </summary>
internal sealed class RingFollower : ReceiveActor
{
    /// <summary>Subscribe (or renew) at each of these nodes' keepers for <paramref name="Lease"/>.</summary>
    public sealed record Follow(IReadOnlyList<string> KeeperPaths, TimeSpan Lease);

    /// <summary>End every subscription (the client is being disposed).</summary>
    public sealed record Stop
    {
        public static readonly Stop Instance = new();
    }

    private readonly HashSet<string> _following = [];

    public RingFollower(Action<RingState> onRing)
    {
        Receive<Follow>(follow =>
        {
            var lease = (long)follow.Lease.TotalMilliseconds;
            foreach (var path in follow.KeeperPaths) Context.ActorSelection(path).Tell(new SubscribeRing { LeaseMs = lease });
            // Nodes no longer followed: end their subscriptions now rather than let them lapse.
            foreach (var gone in _following.Except(follow.KeeperPaths)) Context.ActorSelection(gone).Tell(new SubscribeRing { LeaseMs = 0 });
            _following.Clear();
            _following.UnionWith(follow.KeeperPaths);
        });
        Receive<Stop>(_ =>
        {
            foreach (var path in _following) Context.ActorSelection(path).Tell(new SubscribeRing { LeaseMs = 0 });
            _following.Clear();
        });
        Receive<RingReply>(reply =>
        {
            RingState? ring;
            try { ring = RingWire.FromProtoOrNull(reply.Ring); }
            catch (Exception e) when (e is FormatException or ArgumentException) { return; } // a ring this client cannot read: polling reports it
            if (ring is not null) onRing(ring);
        });
    }

    public static Props Props(Action<RingState> onRing) => Akka.Actor.Props.Create(() => new RingFollower(onRing));
}
