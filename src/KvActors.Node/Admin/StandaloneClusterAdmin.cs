using KvActors.Actor;

namespace KvActors.Node.Admin;

/// <summary>
/// The placeholder used until the cluster layer exists: the node is a one-member cluster of
/// itself (Up, leader, reachable, upNumber 1). Leaving or downing itself shuts the node down
/// through the coordinated shutdown, as a real leave would end with; any other address is refused.
/// </summary>
public sealed class StandaloneClusterAdmin : IClusterAdmin
{
    private readonly ActorSystem _system;
    private readonly string _self;
    private readonly DateTimeOffset _upSince;
    private readonly object _gate = new();
    private readonly List<Action<ClusterEventView>> _subscribers = [];

    public StandaloneClusterAdmin(ActorSystem system, string selfHostPort, DateTimeOffset upSince)
    {
        _system = system;
        _self = selfHostPort;
        _upSince = upSince;
    }

    public ClusterStatusView GetStatus() =>
        new(_self, _self, [new MemberView(_self, "Up", Reachable: true, UpNumber: 1, Roles: [])], SingletonHost: null);

    public Task<string?> LeaveAsync(string hostPort) =>
        Task.FromResult(hostPort == _self ? ShutDown("MemberLeft", new ShutdownReason.ClusterLeaving()) : NotAMember(hostPort));

    public Task<string?> DownAsync(string hostPort) =>
        Task.FromResult(hostPort == _self ? ShutDown("MemberDowned", new ShutdownReason.ClusterDowning()) : NotAMember(hostPort));

    /// <summary>A one-member cluster always reaches itself, so there is nothing to down.</summary>
    public Task<IReadOnlyList<string>> DownUnreachableAsync() => Task.FromResult<IReadOnlyList<string>>([]);

    public IDisposable SubscribeEvents(Action<ClusterEventView> onEvent)
    {
        lock (_gate) _subscribers.Add(onEvent);
        // Current state as events, so a subscriber sees who is in the cluster without asking twice.
        onEvent(new ClusterEventView(_upSince, "MemberUp", _self, null));
        onEvent(new ClusterEventView(_upSince, "LeaderChanged", _self, null));
        return new Unsubscriber(this, onEvent);
    }

    private string? ShutDown(string kind, ShutdownReason reason)
    {
        Publish(new ClusterEventView(DateTimeOffset.UtcNow, kind, _self, reason.Name));
        // Started on the pool so the admin actor's reply is on its way before the system stops.
        _ = Task.Run(() => _system.CoordinatedShutdown.Run(reason));
        return null;
    }

    private string NotAMember(string hostPort) =>
        $"{hostPort} is not a member: this node runs standalone (the cluster layer is not built yet), its only member is {_self}.";

    private void Publish(ClusterEventView e)
    {
        Action<ClusterEventView>[] subscribers;
        lock (_gate) subscribers = [.. _subscribers];
        foreach (var s in subscribers) s(e);
    }

    private sealed class Unsubscriber(StandaloneClusterAdmin owner, Action<ClusterEventView> onEvent) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate) owner._subscribers.Remove(onEvent);
        }
    }
}
