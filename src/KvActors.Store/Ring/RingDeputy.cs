using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using KvActors.Store.Partitioning;
using KvActors.Store.Shards;

namespace KvActors.Store.Ring;

/// <summary>
/// One per node at <c>/user/ring-deputy</c>: runs a deputy <see cref="RingManager"/> (its child) while the singleton's
/// host, the oldest member, is unreachable and this node is the next oldest and reachable: the member Akka will move
/// the singleton to once the split-brain resolver has downed and removed the host. Akka's ClusterSingletonManager moves
/// a singleton only after the removal (about 5 s after a crash here, with the failure detector and stable-after kept
/// conservative so that a busy node is not downed); the deputy acts as soon as the host is unreachable (about 2.5 s),
/// or sooner, once this node's partitions suspect the host as their primary (<see cref="ShardReportNoted"/>: nothing
/// heard from it for the replication grace period, about 1.2 s), so the partitions the host led fail over without
/// waiting for Akka's failure detector: the replication layer's own heartbeats decide, as for any other primary. A
/// suspicion counts for <see cref="RingSettings.DeputySuspicionHold"/> after its last report (repeated every report
/// interval while it holds; zero: suspicions are ignored). The ring's ballots make this safe: the deputy
/// collects the members' rings under a ballot above the manager's, so a manager still alive on the far side gets no
/// more rings chosen, and every ring needs a majority. The deputy stops once the host is reachable again or removed
/// (the singleton then starts on this node and takes over under a higher ballot), and yields for good, until the host
/// changes, if another manager supersedes it (a suspected host that was alive after all: its manager collects again
/// above the deputy's ballot).
/// </summary>
public sealed class RingDeputy : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly RingSettings _settings;
    private ImmutableSortedSet<Member> _members = ImmutableSortedSet.Create(Member.AgeOrdering);
    private ImmutableHashSet<UniqueAddress> _unreachable = [];
    private IActorRef? _deputy;
    private UniqueAddress? _actingFor;
    // The deputy for this host was superseded by another manager: not started again while the same host is unreachable
    // or suspected.
    private UniqueAddress? _yieldedFor;
    // When this node's partitions last suspected each node as their primary (monotonic ms).
    private readonly Dictionary<NodeId, long> _suspectedAt = [];
    private int _started; // names each deputy apart: one just told to stop may still hold its name

    public RingDeputy(RingSettings settings)
    {
        _settings = settings;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            _members = ImmutableSortedSet.CreateRange(Member.AgeOrdering, state.Members.Where(Counts));
            _unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToImmutableHashSet();
            Evaluate();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            _members = _members.Remove(e.Member);
            if (Counts(e.Member)) _members = _members.Add(e.Member);
            if (e is ClusterEvent.MemberRemoved) _unreachable = _unreachable.Remove(e.Member.UniqueAddress);
            Evaluate();
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable = _unreachable.Add(e.Member.UniqueAddress);
            Evaluate();
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable = _unreachable.Remove(e.Member.UniqueAddress);
            Evaluate();
        });
        Receive<ShardReportNoted>(noted =>
        {
            if (noted.Kind != ShardReportKind.PrimarySuspected || noted.Node.Length == 0 || _settings.DeputySuspicionHold <= TimeSpan.Zero) return;
            _suspectedAt[new NodeId(noted.Node)] = Now;
            // One timer per node: a later report about another node must not postpone the end of this one's suspicion.
            Timers.StartSingleTimer($"suspicion-{noted.Node}", SuspicionOver.Instance, _settings.DeputySuspicionHold);
            Evaluate();
        });
        Receive<SuspicionOver>(_ => Evaluate());
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(_deputy)) return;
            _deputy = null;
            _yieldedFor = _actingFor;
            _log.Info("The deputy RingManager for {0} stopped (another manager superseded it)", _actingFor?.Address);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RingSettings settings) => Akka.Actor.Props.Create(() => new RingDeputy(settings));

    private static long Now => Environment.TickCount64;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Context.System.EventStream.Subscribe(Self, typeof(ShardReportNoted));
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    /// <summary>
    /// The members the singleton's placement considers: Up or leaving, and Down, since Akka moves the singleton off a
    /// downed oldest member only once it is removed (the deputy acts until then).
    /// </summary>
    private static bool Counts(Member member) => member.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Down;

    private void Evaluate()
    {
        var host = _members.Count >= 2 ? _members[0] : null;
        var unreachable = host is not null && _unreachable.Contains(host.UniqueAddress);
        var since = Now - (long)_settings.DeputySuspicionHold.TotalMilliseconds;
        foreach (var (node, at) in _suspectedAt)
            if (at <= since) _suspectedAt.Remove(node);
        var suspected = host is not null && _suspectedAt.ContainsKey(RingPaths.NodeIdOf(host.Address));
        var acts = host is not null
                   && (unreachable || suspected)
                   && _members[1].UniqueAddress.Equals(_cluster.SelfUniqueAddress)
                   && !_unreachable.Contains(_cluster.SelfUniqueAddress);
        if (!acts || !host!.UniqueAddress.Equals(_yieldedFor)) _yieldedFor = null;
        if (acts && _deputy is null && _yieldedFor is null)
        {
            _actingFor = host!.UniqueAddress;
            _deputy = Context.Watch(Context.ActorOf(RingManager.Props(_settings, standsInFor: RingPaths.NodeIdOf(host.Address)), $"manager-{++_started}"));
            _log.Warning("The RingManager's host {0} is {1}: this node, the next oldest, runs a deputy RingManager until the host is reachable again or removed",
                host.Address, unreachable ? "unreachable" : "suspected by this node's partitions (nothing heard from it as their primary for the grace period)");
        }
        else if (!acts && _deputy is not null)
        {
            Context.Unwatch(_deputy);
            Context.Stop(_deputy);
            _deputy = null;
            _log.Info("The deputy RingManager for {0} stopped: the host is {1}", _actingFor?.Address,
                host is not null && host.UniqueAddress.Equals(_actingFor) ? "reachable again and no longer suspected" : "no longer the oldest member");
        }
    }

    private sealed class SuspicionOver
    {
        public static readonly SuspicionOver Instance = new();
    }
}
