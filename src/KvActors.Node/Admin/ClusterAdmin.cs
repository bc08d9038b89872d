using Akka.Actor;
using Akka.Cluster;

namespace KvActors.Node.Admin;

/// <summary>
/// The admin commands on top of Akka.Cluster: this node's view of the membership, and
/// leave/down/join sent through the Cluster extension. Thread-safe: the extension is.
/// </summary>
public sealed class ClusterAdmin(ActorSystem system) : IClusterAdmin
{
    private readonly Cluster _cluster = Cluster.Get(system);

    public ClusterStatusView GetStatus()
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        // Akka keeps a member's upNumber internal; its public age ordering gives the same rank.
        var byAge = state.Members.Where(m => m.Status is not (MemberStatus.Joining or MemberStatus.WeaklyUp))
            .OrderBy(m => m, Member.AgeOrdering).ToList();
        var members = state.Members
            .Select(m => new MemberView(HostPortOf(m.Address), m.Status.ToString(), !unreachable.Contains(m.UniqueAddress),
                byAge.IndexOf(m) + 1, [.. m.Roles]))
            .ToList();
        // A cluster singleton runs on the oldest Up member (Akka.Cluster.Tools' rule).
        var oldest = byAge.FirstOrDefault(m => m.Status == MemberStatus.Up);
        return new ClusterStatusView(HostPortOf(_cluster.SelfAddress), state.Leader is null ? null : HostPortOf(state.Leader),
            members, oldest is null ? null : HostPortOf(oldest.Address));
    }

    public Task<string?> LeaveAsync(string hostPort) => Task.FromResult(WithMember(hostPort, m => _cluster.Leave(m.Address)));

    public Task<string?> DownAsync(string hostPort) => Task.FromResult(WithMember(hostPort, m => _cluster.Down(m.Address)));

    public Task<string?> JoinAsync(string hostPort)
    {
        // Akka joins once per actor system: a node that formed a cluster of its own (no seeds) or
        // joined one ignores a later Join, so saying "accepted" would be a lie.
        if (_cluster.State.Members.Any(m => m.Address == _cluster.SelfAddress))
            return Task.FromResult<string?>($"{HostPortOf(_cluster.SelfAddress)} is already a member of a cluster (a node joins only once); to move it, leave and restart it with --seeds {hostPort}.");
        var target = new Address(_cluster.SelfAddress.Protocol, system.Name, HostOf(hostPort), PortOf(hostPort));
        _cluster.Join(target);
        return Task.FromResult<string?>(null);
    }

    public Task<IReadOnlyList<string>> DownUnreachableAsync()
    {
        var downed = new List<string>();
        foreach (var m in _cluster.State.Unreachable.Where(m => m.Status != MemberStatus.Down))
        {
            _cluster.Down(m.Address);
            downed.Add(HostPortOf(m.Address));
        }
        return Task.FromResult<IReadOnlyList<string>>(downed);
    }

    public IDisposable SubscribeEvents(Action<ClusterEventView> onEvent)
    {
        var listener = system.ActorOf(Props.Create(() => new ClusterEventListener(onEvent)));
        _cluster.Subscribe(listener, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IClusterDomainEvent));
        return new Subscription(system, _cluster, listener);
    }

    public static string HostPortOf(Address address) => $"{address.Host}:{address.Port}";

    private static string HostOf(string hostPort) => hostPort[..hostPort.LastIndexOf(':')].Trim('[', ']');

    private static int PortOf(string hostPort) => int.Parse(hostPort[(hostPort.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private string? WithMember(string hostPort, Action<Member> act)
    {
        var member = _cluster.State.Members.FirstOrDefault(m => HostPortOf(m.Address) == hostPort);
        if (member is null) return $"{hostPort} is not a member of the cluster as {HostPortOf(_cluster.SelfAddress)} sees it.";
        act(member);
        return null;
    }

    private sealed class Subscription(ActorSystem system, Cluster cluster, IActorRef listener) : IDisposable
    {
        public void Dispose()
        {
            cluster.Unsubscribe(listener);
            system.Stop(listener);
        }
    }
}
