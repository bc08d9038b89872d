using KvActors.Actor;
using KvActors.Remote;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster;

/// <summary>
/// A node's handle on the cluster (Akka's Cluster extension): who it is, the current membership,
/// joining, leaving, downing and subscribing to membership events. One per actor system; the
/// system must use the cluster provider (kvactors.actor.provider = cluster).
/// </summary>
public sealed class Cluster
{
    private readonly ActorSystem _system;
    private readonly ClusterActorRefProvider _provider;
    private readonly object _gate = new();
    private readonly List<(Func<Member?, bool> Done, TaskCompletionSource Promise)> _selfWaiters = [];
    private readonly List<Action> _onMemberUp = [], _onMemberRemoved = [];
    private volatile CurrentClusterState _state = CurrentClusterState.Empty;
    private volatile Member? _selfMember;
    private bool _wasMember;

    private Cluster(ActorSystem system)
    {
        _system = system;
        _provider = system.Provider as ClusterActorRefProvider
            ?? throw new InvalidOperationException($"The cluster needs kvactors.actor.provider = cluster; this system uses {system.Provider.GetType().Name}.");
        Settings = ClusterSettings.FromConfig(system.Config);
        SelfUniqueAddress = _provider.LocalUniqueAddress;
        Log = system.LoggerFactory.CreateLogger("KvActors.Cluster");
        // Created here, synchronously, so the references exist before anyone sends to them.
        system.SystemActorOf(Props.Create(() => new ClusterHeartbeatReceiver(SelfUniqueAddress)), ClusterPaths.HeartbeatReceiverName);
        CoreDaemon = system.SystemActorOf(Props.Create(() => new ClusterCoreDaemon(this)), ClusterPaths.CoreName);
        RegisterShutdownTasks();
        if (Settings.SeedNodes.Count > 0)
            JoinSeedNodes(Settings.SeedNodes.Select(s => Address.TryParse(s, out var a) ? a
                : throw new ArgumentException($"kvactors.cluster.seed-nodes: '{s}' is not an address like kvactors.tcp://{system.Name}@127.0.0.1:4053.")));
    }

    public static Cluster Get(ActorSystem system) => system.GetOrRegisterExtension(s => new Cluster(s));

    public ClusterSettings Settings { get; }
    public UniqueAddress SelfUniqueAddress { get; }
    public Address SelfAddress => SelfUniqueAddress.Address;
    public IReadOnlyList<string> SelfRoles => Settings.Roles;
    public ActorSystem System => _system;

    /// <summary>The membership as this node last saw it.</summary>
    public CurrentClusterState State => _state;

    /// <summary>This node as a member; null before it joined and after it was removed.</summary>
    public Member? SelfMember => _selfMember;

    internal ILogger Log { get; }
    internal IActorRef CoreDaemon { get; }
    internal ClusterActorRefProvider Provider => _provider;

    /// <summary>Joins the cluster that <paramref name="address"/> belongs to (or forms one, when it is this node).</summary>
    public void Join(Address address) => CoreDaemon.Tell(new DaemonMessages.JoinTo(address), null);

    /// <summary>Joins through the seed nodes: the first seed forms the cluster if no other seed answers in time.</summary>
    public void JoinSeedNodes(IEnumerable<Address> seeds) => CoreDaemon.Tell(new DaemonMessages.JoinSeedNodes(seeds.ToList()), null);

    /// <summary>Asks the member at <paramref name="address"/> to leave gracefully (Leaving, Exiting, Removed).</summary>
    public void Leave(Address address) => CoreDaemon.Tell(new DaemonMessages.LeaveCommand(address), null);

    /// <summary>Marks the member at <paramref name="address"/> Down: the leader removes it without its cooperation.</summary>
    public void Down(Address address) => CoreDaemon.Tell(new DaemonMessages.DownCommand(address), null);

    /// <summary>
    /// Sends <paramref name="subscriber"/> the current state (a <see cref="CurrentClusterState"/>),
    /// then every later event of the given types (IClusterDomainEvent when none given).
    /// </summary>
    public void Subscribe(IActorRef subscriber, params Type[] to) =>
        CoreDaemon.Tell(new DaemonMessages.Subscribe(subscriber, to.Length == 0 ? [typeof(IClusterDomainEvent)] : to, InitialStateAsSnapshot: true), null);

    /// <summary>Like Subscribe, but the current state arrives as the events that would have built it.</summary>
    public void SubscribeWithInitialEvents(IActorRef subscriber, params Type[] to) =>
        CoreDaemon.Tell(new DaemonMessages.Subscribe(subscriber, to.Length == 0 ? [typeof(IClusterDomainEvent)] : to, InitialStateAsSnapshot: false), null);

    public void Unsubscribe(IActorRef subscriber) => CoreDaemon.Tell(new DaemonMessages.Unsubscribe(subscriber), null);

    /// <summary>Runs <paramref name="callback"/> once this node is Up (at once if it already is).</summary>
    public void RegisterOnMemberUp(Action callback)
    {
        lock (_gate)
        {
            if (_selfMember?.Status is not MemberStatus.Up) { _onMemberUp.Add(callback); return; }
        }
        callback();
    }

    /// <summary>Runs <paramref name="callback"/> once this node has been removed (or its system stopped).</summary>
    public void RegisterOnMemberRemoved(Action callback)
    {
        lock (_gate) _onMemberRemoved.Add(callback);
    }

    /// <summary>Completes once this node's own member satisfies <paramref name="done"/> (null = not a member).</summary>
    public Task WhenSelf(Func<Member?, bool> done)
    {
        lock (_gate)
        {
            if (done(_selfMember)) return Task.CompletedTask;
            var promise = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _selfWaiters.Add((done, promise));
            return promise.Task;
        }
    }

    /// <summary>Called by the daemon after every change, on its own turn.</summary>
    internal void Publish(CurrentClusterState state, Member? self)
    {
        List<Action> run = [];
        List<TaskCompletionSource> complete = [];
        lock (_gate)
        {
            _state = state;
            _selfMember = self;
            if (self is not null) _wasMember = true;
            if (self?.Status == MemberStatus.Up && _onMemberUp.Count > 0)
            {
                run.AddRange(_onMemberUp);
                _onMemberUp.Clear();
            }
            if (self is null && _wasMember && _onMemberRemoved.Count > 0)
            {
                run.AddRange(_onMemberRemoved);
                _onMemberRemoved.Clear();
            }
            for (var i = _selfWaiters.Count - 1; i >= 0; i--)
            {
                if (!_selfWaiters[i].Done(self)) continue;
                complete.Add(_selfWaiters[i].Promise);
                _selfWaiters.RemoveAt(i);
            }
        }
        _provider.OnMembershipChanged(state.Members.Select(m => m.Address).ToHashSet());
        foreach (var p in complete) p.TrySetResult();
        foreach (var callback in run)
        {
            try { callback(); }
            catch (Exception e) { Log.LogError(e, "A cluster membership callback failed: {Message}", e.Message); }
        }
    }

    /// <summary>SIGTERM and Terminate() leave the cluster gracefully before the system stops.</summary>
    private void RegisterShutdownTasks()
    {
        var shutdown = _system.CoordinatedShutdown;
        shutdown.AddTask(CoordinatedShutdown.PhaseClusterLeave, "leave", () =>
        {
            if (_selfMember?.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up)
                Leave(SelfAddress);
            return WhenSelf(m => m is null || m.Status is MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed);
        });
        // Only a node on its way out waits to be removed; one that never became a member does not.
        shutdown.AddTask(CoordinatedShutdown.PhaseClusterExiting, "wait-removed", () =>
            WhenSelf(m => m is null || m.Status is not (MemberStatus.Leaving or MemberStatus.Exiting)));
    }
}

/// <summary>Where the cluster's actors live on every node, so peers can address them by path.</summary>
internal static class ClusterPaths
{
    public const string CoreName = "cluster";
    public const string HeartbeatReceiverName = "clusterHeartbeatReceiver";

    public static string CoreOf(Address node) => $"{node}/system/{CoreName}";
    public static string HeartbeatReceiverOf(Address node) => $"{node}/system/{HeartbeatReceiverName}";
}
