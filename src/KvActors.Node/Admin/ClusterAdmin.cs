using KvActors.Actor;
using KvActors.Cluster;

namespace KvActors.Node.Admin;

/// <summary>
/// The admin commands on top of the real cluster: this node's view of the membership, and
/// leave/down sent to the cluster daemon. Thread-safe: the Cluster extension is.
/// </summary>
public sealed class ClusterAdmin(ActorSystem system) : IClusterAdmin
{
    private readonly Cluster.Cluster _cluster = Cluster.Cluster.Get(system);

    public ClusterStatusView GetStatus()
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var members = state.Members
            .Select(m => new MemberView(m.Address.HostPort, m.Status.ToString(), !unreachable.Contains(m.UniqueAddress),
                m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp ? 0 : m.UpNumber, [.. m.Roles]))
            .ToList();
        // The cluster singleton runs on the oldest Up member (Cluster.Tools' rule).
        var oldest = state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        return new ClusterStatusView(_cluster.SelfAddress.HostPort, state.Leader?.HostPort, members, oldest?.Address.HostPort);
    }

    public Task<string?> LeaveAsync(string hostPort) => Task.FromResult(WithMember(hostPort, m => _cluster.Leave(m.Address)));

    public Task<string?> DownAsync(string hostPort) => Task.FromResult(WithMember(hostPort, m => _cluster.Down(m.Address)));

    public Task<IReadOnlyList<string>> DownUnreachableAsync()
    {
        var downed = new List<string>();
        foreach (var m in _cluster.State.Unreachable.Where(m => m.Status != MemberStatus.Down))
        {
            _cluster.Down(m.Address);
            downed.Add(m.Address.HostPort);
        }
        return Task.FromResult<IReadOnlyList<string>>(downed);
    }

    public IDisposable SubscribeEvents(Action<ClusterEventView> onEvent)
    {
        var listener = system.ActorOf(Props.Create(() => new EventListener(onEvent)));
        _cluster.SubscribeWithInitialEvents(listener, typeof(IClusterDomainEvent));
        return new Stop(system, _cluster, listener);
    }

    private string? WithMember(string hostPort, Action<Member> act)
    {
        var member = _cluster.State.Members.FirstOrDefault(m => m.Address.HostPort == hostPort);
        if (member is null) return $"{hostPort} is not a member of the cluster as {_cluster.SelfAddress.HostPort} sees it.";
        act(member);
        return null;
    }

    /// <summary>Turns cluster events into the views `kv cluster tail` prints.</summary>
    private sealed class EventListener : ReceiveActor
    {
        public EventListener(Action<ClusterEventView> onEvent)
        {
            Receive<IClusterDomainEvent>(e =>
            {
                var (kind, address, detail) = e switch
                {
                    MemberRemoved r => ("MemberRemoved", r.Member.Address.HostPort, $"was {r.PreviousStatus}"),
                    MemberEvent m => (e.GetType().Name, m.Member.Address.HostPort, (string?)null),
                    UnreachableMember u => ("Unreachable", u.Member.Address.HostPort, null),
                    ReachableMember r => ("Reachable", r.Member.Address.HostPort, null),
                    LeaderChanged l => ("LeaderChanged", l.Leader?.HostPort ?? "none", null),
                    _ => (e.GetType().Name, "", null),
                };
                onEvent(new ClusterEventView(DateTimeOffset.UtcNow, kind, address, detail));
            });
        }
    }

    private sealed class Stop(ActorSystem system, Cluster.Cluster cluster, IActorRef listener) : IDisposable
    {
        public void Dispose()
        {
            cluster.Unsubscribe(listener);
            system.Stop(listener);
        }
    }
}
