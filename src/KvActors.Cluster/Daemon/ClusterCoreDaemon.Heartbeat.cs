using KvActors.Cluster.Wire;
using KvActors.Remote;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster;

/// <summary>
/// Failure detection: each node heartbeats the few members the heartbeat ring assigns it, feeds
/// the answers to a phi accrual detector per member, and on every reaper tick records as
/// unreachable (or reachable again) the members it monitors, in the gossip's reachability table.
/// </summary>
internal sealed partial class ClusterCoreDaemon
{
    private void ReceiveHeartbeats()
    {
        Receive<DaemonMessages.HeartbeatTick>(_ => SendHeartbeats());
        Receive<ClusterHeartbeatRsp>(rsp =>
        {
            if (!TryDecode(() => WireConverter.FromWire(rsp.From), "heartbeat response", out var from)) return;
            if (_heartbeatReceivers.Contains(from)) _detectors.Heartbeat(from, Now); // an answer from another incarnation is no answer
        });
        Receive<DaemonMessages.ReapUnreachableTick>(_ =>
        {
            ReapUnreachable();
            SplitBrainResolver();
        });
    }

    /// <summary>Recomputes whom to monitor after a membership change; new receivers start their detector now.</summary>
    private void UpdateHeartbeatReceivers()
    {
        var nodes = _state.Members.Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Removed)).Select(m => m.UniqueAddress);
        var unreachable = _state.Reachability.AllUnreachableFrom(_self);
        var receivers = IsMember ? new HeartbeatNodeRing(_self, nodes, unreachable, _settings.MonitoredByNrOfMembers).MyReceivers : new HashSet<UniqueAddress>();
        foreach (var gone in _heartbeatReceivers.Except(receivers)) _detectors.Remove(gone);
        foreach (var added in receivers.Except(_heartbeatReceivers))
            _detectors.Heartbeat(added, Now + (long)_settings.ExpectedResponseAfter.TotalMilliseconds - (long)_settings.HeartbeatInterval.TotalMilliseconds);
        _heartbeatReceivers = receivers;
    }

    private void SendHeartbeats()
    {
        if (_heartbeatReceivers.Count == 0) return;
        var heartbeat = new ClusterHeartbeat { From = _selfWire, Sequence = ++_heartbeatSequence };
        foreach (var node in _heartbeatReceivers)
            Context.System.Provider.ResolveActorRef(ClusterPaths.HeartbeatReceiverOf(node.Address)).Tell(heartbeat, Self);
    }

    private void ReapUnreachable()
    {
        if (!IsMember || _shuttingDown) return;
        var now = Now;
        var reachability = _state.Reachability;
        var changed = reachability;
        foreach (var node in _heartbeatReceivers)
        {
            if (!_state.Latest.HasMember(node)) continue;
            var available = _detectors.IsAvailable(node, now);
            var seenReachable = reachability.IsReachable(_self, node);
            if (!available && seenReachable) changed = changed.Unreachable(_self, node);
            else if (available && !seenReachable) changed = changed.Reachable(_self, node);
        }
        if (ReferenceEquals(changed, reachability)) return;
        UpdateLocal(_state.Latest.WithReachability(changed));
    }
}
