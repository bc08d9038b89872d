using Akka.Actor;
using Akka.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace KvActors.Node.Admin;

/// <summary>Turns Akka cluster events into the views `kv cluster tail` prints.</summary>
internal sealed class ClusterEventListener : ReceiveActor
{
    public ClusterEventListener(Action<ClusterEventView> onEvent)
    {
        Receive<IClusterDomainEvent>(e =>
        {
            var (kind, address, detail) = e switch
            {
                MemberRemoved r => ("MemberRemoved", ClusterAdmin.HostPortOf(r.Member.Address), $"was {r.PreviousStatus}"),
                MemberStatusChange m => (e.GetType().Name, ClusterAdmin.HostPortOf(m.Member.Address), (string?)null),
                UnreachableMember u => ("Unreachable", ClusterAdmin.HostPortOf(u.Member.Address), null),
                ReachableMember r => ("Reachable", ClusterAdmin.HostPortOf(r.Member.Address), null),
                LeaderChanged l => ("LeaderChanged", l.Leader is null ? "none" : ClusterAdmin.HostPortOf(l.Leader), null),
                _ => ("", "", null),
            };
            // Internal bookkeeping events (seen-changed, reachability details) are not for operators.
            if (kind.Length > 0) onEvent(new ClusterEventView(DateTimeOffset.UtcNow, kind, address, detail));
        });
    }
}
