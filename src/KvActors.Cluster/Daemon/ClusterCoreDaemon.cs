using KvActors.Actor;
using KvActors.Cluster.SplitBrain;
using KvActors.Cluster.Wire;
using KvActors.Remote;
using KvActors.Remote.FailureDetection;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster;

/// <summary>
/// The actor shell around the pure membership core (Gossip, MembershipState, LeaderActions,
/// HeartbeatNodeRing, the split-brain strategies): it joins, gossips, heartbeats, marks
/// reachability, performs leader actions, runs the split-brain resolver, publishes events and
/// shuts the node down when the cluster downs or removes it. Every decision is made by the pure
/// classes; this class only feeds them messages, ticks and the clock.
/// </summary>
internal sealed partial class ClusterCoreDaemon : ReceiveActor, IWithTimers
{
    private readonly Cluster _cluster;
    private readonly ClusterSettings _settings;
    private readonly UniqueAddress _self;
    private readonly UniqueAddressMsg _selfWire;
    private readonly ILogger _log;
    private readonly Random _random = new();
    private readonly FailureDetectorRegistry<UniqueAddress> _detectors;
    private readonly DowningStrategy? _downing;
    private readonly StabilityTracker _stability;
    private MembershipState _state;
    private IReadOnlySet<UniqueAddress> _heartbeatReceivers = new HashSet<UniqueAddress>();
    private long _heartbeatSequence;
    private long? _noConvergenceSinceMs;
    private bool _shuttingDown;

    public ITimerScheduler Timers { get; set; } = null!;

    public ClusterCoreDaemon(Cluster cluster)
    {
        _cluster = cluster;
        _settings = cluster.Settings;
        _self = cluster.SelfUniqueAddress;
        _selfWire = WireConverter.ToWire(_self);
        _log = cluster.Log;
        _detectors = new FailureDetectorRegistry<UniqueAddress>(() => new PhiAccrualFailureDetector(_settings.FailureDetector));
        _downing = _settings.SplitBrainResolver.CreateStrategy();
        _stability = _settings.SplitBrainResolver.CreateTracker();
        _state = new MembershipState(Gossip.Empty, _self);

        ReceiveJoinProtocol();
        ReceiveGossip();
        ReceiveCommands();
        ReceiveHeartbeats();
        Receive<DaemonMessages.LeaderActionsTick>(_ => PerformLeaderActions());
        Receive<DaemonMessages.PruneTick>(_ => PruneTombstones());
    }

    private bool IsMember => _state.Latest.HasMember(_self);
    private static long Now => Environment.TickCount64;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("gossip", DaemonMessages.GossipTick.Instance, _settings.GossipInterval);
        Timers.StartPeriodicTimer("leader", DaemonMessages.LeaderActionsTick.Instance, _settings.LeaderActionsInterval);
        Timers.StartPeriodicTimer("reaper", DaemonMessages.ReapUnreachableTick.Instance, _settings.UnreachableNodesReaperInterval);
        Timers.StartPeriodicTimer("heartbeat", DaemonMessages.HeartbeatTick.Instance, _settings.HeartbeatInterval);
        Timers.StartPeriodicTimer("prune", DaemonMessages.PruneTick.Instance, TimeSpan.FromMinutes(1));
    }

    // ---- state changes ----

    /// <summary>Adopts a gossip this node changed: new version, seen only by itself.</summary>
    private void UpdateLocal(Gossip changed) => Adopt(changed.IncrementVersion(_self).OnlySeen(_self));

    /// <summary>Makes <paramref name="next"/> the latest gossip, publishes what changed and reacts to our own fate.</summary>
    private void Adopt(Gossip next)
    {
        var before = _state.Latest;
        _state = _state.WithLatest(next);
        foreach (var e in ClusterEventDiff.Diff(before, next, _self))
        {
            LogEvent(e);
            Context.System.EventStream.Publish(e);
            if (e is MemberRemoved removed && removed.Member.UniqueAddress != _self)
                ForgetRemoved(removed);
        }
        _cluster.Publish(ClusterEventDiff.StateOf(next, _self), _state.SelfMember);
        UpdateHeartbeatReceivers();
        ReactToOwnStatus(before);
    }

    /// <summary>
    /// A removed member's incarnation is quarantined. One that left gracefully gets a moment
    /// first: the gossip telling it that it was removed (so it may stop) must still reach it.
    /// </summary>
    private void ForgetRemoved(MemberRemoved removed)
    {
        var node = removed.Member.UniqueAddress;
        var provider = _cluster.Provider;
        if (removed.PreviousStatus == MemberStatus.Exiting)
            Context.System.Scheduler.ScheduleOnce(_settings.GossipInterval * 10, () => provider.OnMemberRemoved(node));
        else
            provider.OnMemberRemoved(node);
    }

    private void LogEvent(IClusterDomainEvent e)
    {
        switch (e)
        {
            case MemberEvent m: _log.LogInformation("Cluster member {Address} is {Status} ({Event}).", m.Member.Address, m.Member.Status, e.GetType().Name); break;
            case UnreachableMember u: _log.LogWarning("Cluster member {Address} is unreachable.", u.Member.Address); break;
            case ReachableMember r: _log.LogInformation("Cluster member {Address} is reachable again.", r.Member.Address); break;
            case LeaderChanged l: _log.LogInformation("Cluster leader is now {Leader}.", l.Leader?.ToString() ?? "none"); break;
        }
    }

    /// <summary>A node downed or removed by the cluster stops itself; one that is Exiting finishes leaving.</summary>
    private void ReactToOwnStatus(Gossip before)
    {
        if (_shuttingDown) return;
        var self = _state.SelfMember;
        var wasMember = before.HasMember(_self);
        if (self?.Status == MemberStatus.Down)
            ShutDown(new ShutdownReason.ClusterDowning(), "this node was downed");
        else if (self is null && wasMember)
            ShutDown(new ShutdownReason.ClusterLeaving(), "this node was removed from the cluster", graceful: before.TryGetMember(_self)?.Status == MemberStatus.Exiting);
        else if (self?.Status == MemberStatus.Exiting)
            _ = Context.System.CoordinatedShutdown.Run(new ShutdownReason.ClusterLeaving());
    }

    private void ShutDown(ShutdownReason reason, string why, bool graceful = false)
    {
        _shuttingDown = true;
        _log.Log(graceful ? LogLevel.Information : LogLevel.Warning, "Shutting down: {Why}.", why);
        // Tell the others what we know before going: on a minority side, our Down decision must reach them too.
        foreach (var m in _state.Members)
            if (m.UniqueAddress != _self && _state.Reachability.IsReachable(_self, m.UniqueAddress)) SendGossip(m.UniqueAddress);
        _ = Context.System.CoordinatedShutdown.Run(reason);
    }

    private void PruneTombstones()
    {
        var pruned = _state.Latest.PruneTombstones(Now - (long)_settings.PruneGossipTombstonesAfter.TotalMilliseconds);
        if (!ReferenceEquals(pruned, _state.Latest)) _state = _state.WithLatest(pruned);
    }

    // ---- sending ----

    private void SendToCore(Address node, object message) =>
        Context.System.Provider.ResolveActorRef(ClusterPaths.CoreOf(node)).Tell(message, Self);

    private void SendGossip(UniqueAddress to) =>
        SendToCore(to.Address, new GossipEnvelope { From = _selfWire, To = WireConverter.ToWire(to), Gossip = WireConverter.ToWire(_state.Latest) });

    private void SendStatus(UniqueAddress to)
    {
        var status = new GossipStatus { From = _selfWire };
        status.Version.AddRange(WireConverter.ToWire(_state.Latest.Version));
        SendToCore(to.Address, status);
    }

    /// <summary>Decodes a wire message; a malformed one is dropped with one log line.</summary>
    private bool TryDecode<T>(Func<T> decode, string what, out T value)
    {
        try
        {
            value = decode();
            return true;
        }
        catch (FormatException e)
        {
            _log.LogWarning("Dropping a malformed {What} from {Sender}: {Reason}", what, Sender?.Path.Address, e.Message);
            value = default!;
            return false;
        }
    }
}
