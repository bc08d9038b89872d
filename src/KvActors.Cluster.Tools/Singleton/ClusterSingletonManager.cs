using KvActors.Actor;
using KvActors.Cluster.Tools.Wire;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster.Tools.Singleton;

/// <summary>
/// Runs one instance of an actor in the whole cluster (or among the members with a role), as
/// the child "singleton" (settings.SingletonName) of the manager on the oldest Up member. Start a
/// manager with the same name on every node (of the role):
/// <c>system.ActorOf(ClusterSingletonManager.Props(singletonProps, settings), "name")</c>.
/// Every decision is made by <see cref="SingletonDecider"/>; this actor feeds it cluster
/// events, hand-over messages and timer ticks and carries out what it decides.
/// </summary>
public sealed class ClusterSingletonManager : ReceiveActor, IWithTimers
{
    private sealed class RetryTick { public static readonly RetryTick Instance = new(); }
    private sealed class AwaitReleased { public static readonly AwaitReleased Instance = new(); }
    private sealed class Released { public static readonly Released Instance = new(); }

    private readonly Props _singletonProps;
    private readonly object _terminationMessage;
    private readonly ClusterSingletonManagerSettings _settings;
    private readonly Cluster _cluster;
    private readonly SingletonDecider _decider;
    private readonly List<IActorRef> _releaseWaiters = [];
    private IActorRef? _singleton;
    private volatile bool _stopped;
    private SingletonState _loggedState = SingletonState.Start;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Props singletonProps, ClusterSingletonManagerSettings settings) =>
        Props(singletonProps, PoisonPill.Instance, settings);

    /// <param name="terminationMessage">Sent to the singleton to stop it at hand-over (Akka's terminationMessage); PoisonPill by default.</param>
    public static Props Props(Props singletonProps, object terminationMessage, ClusterSingletonManagerSettings settings) =>
        KvActors.Actor.Props.Create(() => new ClusterSingletonManager(singletonProps, terminationMessage, settings));

    private ClusterSingletonManager(Props singletonProps, object terminationMessage, ClusterSingletonManagerSettings settings)
    {
        _singletonProps = singletonProps;
        _terminationMessage = terminationMessage;
        _settings = settings;
        _cluster = Cluster.Get(Context.System);
        if (settings.Role is { } role && !_cluster.SelfRoles.Contains(role))
            throw new InvalidOperationException($"ClusterSingletonManager for role '{role}' started on a node without that role ({_cluster.SelfAddress}).");
        _decider = new SingletonDecider(_cluster.SelfUniqueAddress, settings.Role, settings.RemovalMargin);

        Receive<CurrentClusterState>(s => Apply(_decider.Initialize(s.Members, Now)));
        Receive<MemberEvent>(e =>
        {
            if (e is MemberRemoved)
                Timers.StartSingleTimer(("removed", e.Member.UniqueAddress), RetryTick.Instance, settings.RemovalMargin + TimeSpan.FromMilliseconds(10));
            Apply(_decider.OnMemberEvent(e, Now));
        });
        Receive<RetryTick>(_ => Apply(_decider.OnTick(Now)));
        Receive<HandOverToMe>(_ => Apply(_decider.OnHandOverToMe(SenderAddress, Now)));
        Receive<HandOverDone>(_ => Apply(_decider.OnHandOverDone(SenderAddress, Now)));
        Receive<TakeOverFromMe>(_ => Apply(_decider.OnTakeOverFromMe(SenderAddress, Now)));
        Receive<HandOverInProgress>(_ => { });
        Receive<Terminated>(t => t.ActorRef.Equals(_singleton), _ =>
        {
            _singleton = null;
            Log.LogInformation("Singleton {Name} stopped on {Node}.", settings.SingletonName, _cluster.SelfAddress);
            Apply(_decider.OnSingletonTerminated(Now));
        });
        Receive<AwaitReleased>(_ =>
        {
            if (_singleton is null) Sender?.Tell(Released.Instance, Self);
            else if (Sender is not null) _releaseWaiters.Add(Sender);
        });
    }

    /// <summary>The decision state, for diagnostics and tests.</summary>
    internal SingletonDecider Decider => _decider;

    private static long Now => Environment.TickCount64;
    private Address SenderAddress => Sender?.Path.Address ?? _cluster.SelfAddress;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, typeof(MemberEvent));
        Timers.StartPeriodicTimer("retry", RetryTick.Instance, _settings.HandOverRetryInterval);
        // A leaving oldest hands the singleton over before the node goes: wait for that in cluster-exiting.
        var self = Self;
        var system = Context.System;
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.PhaseClusterExiting, $"singleton-hand-over-{self.Path.Name}", async () =>
        {
            if (_stopped) return;
            try { await self.Ask<Released>(AwaitReleased.Instance, TimeSpan.FromMinutes(1)).ConfigureAwait(false); }
            catch (Exception) { /* the phase timeout bounds the wait; the manager may be gone */ }
        });
    }

    protected override void PostStop()
    {
        _stopped = true;
        _cluster.Unsubscribe(Self);
    }

    private void Apply(IReadOnlyList<SingletonAction> actions)
    {
        foreach (var action in actions)
        {
            switch (action)
            {
                case SingletonAction.StartSingleton:
                    _singleton = Context.Watch(Context.ActorOf(_singletonProps, _settings.SingletonName));
                    Log.LogInformation("Singleton {Name} started on {Node} (the oldest member).", _settings.SingletonName, _cluster.SelfAddress);
                    break;
                case SingletonAction.StopSingleton:
                    Log.LogInformation("Stopping singleton {Name} on {Node} for hand-over.", _settings.SingletonName, _cluster.SelfAddress);
                    _singleton?.Tell(_terminationMessage, Self);
                    break;
                case SingletonAction.SendHandOverToMe s: ManagerAt(s.To).Tell(new HandOverToMe(), Self); break;
                case SingletonAction.SendHandOverInProgress s: ManagerAt(s.To).Tell(new HandOverInProgress(), Self); break;
                case SingletonAction.SendHandOverDone s: ManagerAt(s.To).Tell(new HandOverDone(), Self); break;
                case SingletonAction.SendTakeOverFromMe s: ManagerAt(s.To).Tell(new TakeOverFromMe(), Self); break;
            }
        }
        if (_decider.State != _loggedState)
        {
            Log.LogDebug("Singleton manager {Path}: {From} -> {To}.", Self.Path, _loggedState, _decider.State);
            _loggedState = _decider.State;
        }
        if (_singleton is null && _releaseWaiters.Count > 0)
        {
            foreach (var w in _releaseWaiters) w.Tell(Released.Instance, Self);
            _releaseWaiters.Clear();
        }
    }

    /// <summary>The manager with our name on another node (managers are started with the same path everywhere).</summary>
    private IActorRef ManagerAt(Address node) =>
        Context.System.Provider.ResolveActorRef($"{node}{Self.Path.ToStringWithoutAddress()}");
}
