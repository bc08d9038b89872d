using KvActors.Cluster.Wire;
using KvActors.Remote;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster;

/// <summary>
/// Gossip: every gossip-interval the daemon picks a member (preferring those that have not seen
/// the current version) and sends the full gossip if that member has not seen it, else only its
/// version. On receipt: a newer gossip replaces ours, an older one is answered with ours,
/// concurrent ones are merged (and ours sent back), and we mark the result seen.
/// </summary>
internal sealed partial class ClusterCoreDaemon
{
    private void ReceiveGossip()
    {
        Receive<DaemonMessages.GossipTick>(_ => GossipTick());
        Receive<GossipEnvelope>(HandleGossip);
        Receive<GossipStatus>(HandleStatus);
    }

    private void GossipTick()
    {
        if (!IsMember) return;
        var target = _state.PreferredGossipTarget(_random, _settings.GossipDifferentViewProbability);
        if (target is null) return;
        if (_state.Latest.SeenByNode(target)) SendStatus(target);
        else SendGossip(target);
    }

    private void HandleGossip(GossipEnvelope envelope)
    {
        if (!IsMember) return;
        if (!TryDecode(() => (From: WireConverter.FromWire(envelope.From), To: WireConverter.FromWire(envelope.To), Gossip: WireConverter.FromWire(envelope.Gossip)),
                "gossip", out var g)) return;
        if (g.To != _self) return; // meant for an earlier incarnation of this address
        var local = _state.Latest;
        if (g.Gossip.IsTombstoned(_self))
        {
            Adopt(Gossip.Merge(local, g.Gossip)); // we are removed: the merge drops us, and ReactToOwnStatus stops the node
            return;
        }
        if (!local.HasMember(g.From) || !g.Gossip.HasMember(_self)) return; // not from (or about) our cluster
        Gossip next;
        var talkBack = false;
        switch (local.Compare(g.Gossip))
        {
            case VectorClock.Ordering.Same:
                next = local.MergeSeen(g.Gossip);
                break;
            case VectorClock.Ordering.After: // ours is newer
                next = local;
                talkBack = true;
                break;
            case VectorClock.Ordering.Before: // theirs is newer
                next = g.Gossip;
                break;
            default:
                next = Gossip.Merge(local, g.Gossip);
                talkBack = true;
                break;
        }
        next = next.Seen(_self);
        if (!next.Equals(local)) Adopt(next);
        // The sender must learn that we have seen it too, or convergence is never observed.
        if (talkBack || !g.Gossip.SeenByNode(_self)) SendGossip(g.From);
    }

    private void HandleStatus(GossipStatus status)
    {
        if (!IsMember || !TryDecode(() => (From: WireConverter.FromWire(status.From), Version: WireConverter.FromWire(status.Version)), "gossip status", out var s)) return;
        if (!_state.Latest.HasMember(s.From)) return;
        switch (_state.Latest.Version.Compare(s.Version))
        {
            case VectorClock.Ordering.After or VectorClock.Ordering.Concurrent:
                SendGossip(s.From); // they are behind (or diverged): give them ours
                break;
            case VectorClock.Ordering.Before:
                SendStatus(s.From); // we are behind: they answer our status with their gossip
                break;
            case VectorClock.Ordering.Same when !_state.Latest.SeenByNode(s.From):
                Adopt(_state.Latest.Seen(s.From)); // a node reporting this very version has seen it
                break;
        }
    }
}
