using KvActors.Actor;
using KvActors.Cluster.Wire;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster;

/// <summary>Leave, Down and subscriptions, from this node's API or from another node (wire Leave/Down).</summary>
internal sealed partial class ClusterCoreDaemon
{
    private void ReceiveCommands()
    {
        Receive<DaemonMessages.LeaveCommand>(c => HandleLeave(c.Address));
        Receive<DaemonMessages.DownCommand>(c => HandleDown(c.Address));
        Receive<Leave>(l => { if (TryDecode(() => WireConverter.ParseAddress(l.Address), "Leave", out var a)) HandleLeave(a); });
        Receive<Down>(d => { if (TryDecode(() => WireConverter.ParseAddress(d.Address), "Down", out var a)) HandleDown(a); });
        Receive<DaemonMessages.Subscribe>(HandleSubscribe);
        Receive<DaemonMessages.Unsubscribe>(u => Context.System.EventStream.Unsubscribe(u.Subscriber));
    }

    private void HandleLeave(Address address)
    {
        var member = _state.Members.FirstOrDefault(m => m.Address.Equals(address));
        if (member is null || member.Status is not (MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up)) return;
        _log.LogInformation("Member {Address} is leaving.", address);
        UpdateLocal(_state.Latest.Update(member.Copy(MemberStatus.Leaving)));
    }

    private void HandleDown(Address address)
    {
        var member = _state.Members.FirstOrDefault(m => m.Address.Equals(address));
        if (member is null || member.Status is MemberStatus.Down or MemberStatus.Removed) return;
        _log.LogWarning("Marking member {Address} as Down.", address);
        UpdateLocal(_state.Latest.Update(member.Copy(MemberStatus.Down)));
    }

    /// <summary>Snapshot and subscription in one turn of the daemon, the only publisher: no event is missed or doubled.</summary>
    private void HandleSubscribe(DaemonMessages.Subscribe s)
    {
        if (s.InitialStateAsSnapshot)
        {
            s.Subscriber.Tell(ClusterEventDiff.StateOf(_state.Latest, _self), Self);
        }
        else
        {
            foreach (var e in ClusterEventDiff.Diff(Gossip.Empty, _state.Latest, _self))
                if (s.To.Any(t => t.IsInstanceOfType(e))) s.Subscriber.Tell(e, Self);
        }
        foreach (var type in s.To) Context.System.EventStream.Subscribe(s.Subscriber, type);
    }
}
