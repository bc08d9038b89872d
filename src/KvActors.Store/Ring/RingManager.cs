using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Ring;

namespace KvActors.Store.Ring;

/// <summary>
/// The cluster singleton that owns the ring (run by a ClusterSingletonManager, see <see cref="RingHost"/>): a thin shell
/// over <see cref="RingManagerCore"/>. It feeds the core the cluster's membership and reachability events, the keepers'
/// last rings, the primaries' reports and a clock tick, and answers <c>GetRing</c> from anyone with the ring in force.
/// A new ring is published in two phases: proposed to every member's keeper (<c>RingProposed</c>), which stores it,
/// and once a majority of the Up members has (<see cref="RingProposal"/>), published (<c>RingPublished</c>) for the
/// nodes to apply. Both are sent again every <see cref="RingSettings.RepublishInterval"/>, since a message can be lost.
/// At start it asks every member's keeper for the newest ring it stored (again each republish interval until the first
/// ring is formed), so a new manager goes on from the highest epoch the cluster knows.
/// </summary>
public sealed class RingManager : ReceiveActor, IWithTimers
{
    /// <summary>The clock tick (local only, from the actor's own timer).</summary>
    internal sealed class Tick
    {
        public static readonly Tick Instance = new();

        private Tick()
        {
        }
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly RingSettings _settings;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly RingManagerCore _core;
    private readonly Dictionary<NodeId, UniqueAddress> _members = [];
    // The ring in force: chosen by a majority and published.
    private RingPublished? _published;
    // The newest ring of the core, proposed and waiting for a majority (null: none).
    private RingProposal? _proposal;
    private RingProposed? _proposed;
    private RingState? _latest;
    // Reports from the partitions since the last tick: applied together, in one epoch, on the next tick.
    private readonly List<RingReport> _reports = [];
    private TimeSpan _lastPublishAt;
    // A new ring waiting for the next tick: while a cluster rebalances, learners catch up one partition
    // at a time, and publishing each of those rings at once would make every node reconfigure (and
    // persist a ring) hundreds of times a second. At most one proposal per tick; a newer ring replaces a
    // proposal not chosen yet (nothing applies a ring before it is chosen, so none is lost by that).
    private bool _newRingPending;
    private TimeSpan _lastAskAt;
    private readonly NodeId _self;
    // Asked and proposed under; raised above any higher one a keeper reports (see RingBallot).
    private RingBallot _ballot;

    // A deputy (RingDeputy's child) yields to any manager that supersedes it once it has formed its ring.
    private readonly bool _deputy;

    public RingManager(RingSettings settings, bool deputy = false)
    {
        _settings = settings;
        _deputy = deputy;
        _core = new RingManagerCore(settings.CoreOptions, Now);
        _self = RingPaths.NodeIdOf(_cluster.SelfAddress);
        _ballot = new RingBallot(1, _self.Value);

        Receive<ClusterEvent.CurrentClusterState>(OnClusterState);
        Receive<ClusterEvent.MemberUp>(e => OnMember(e.Member));
        Receive<ClusterEvent.MemberLeft>(e => OnMember(e.Member));
        Receive<ClusterEvent.MemberExited>(e => OnMember(e.Member));
        Receive<ClusterEvent.MemberRemoved>(e => OnMember(e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => Handle(_core.Unreachable(RingPaths.NodeIdOf(e.Member.Address), Now)));
        Receive<ClusterEvent.ReachableMember>(e => Handle(_core.Reachable(RingPaths.NodeIdOf(e.Member.Address), Now)));
        Receive<ClusterEvent.IMemberEvent>(_ => { }); // Joining, WeaklyUp, Downed: nothing for the ring

        Receive<LastRingReply>(OnLastRing);
        Receive<RingAccepted>(OnAccepted);
        Receive<ReplicaSilent>(r => Gather(r.Node, n => new SilentReplica(r.Partition, n, r.Epoch)));
        Receive<LearnerCaughtUp>(r => Gather(r.Node, n => new CaughtUp(r.Partition, n, r.Epoch)));
        Receive<PrimarySuspected>(r => Gather(r.Node, n => new SuspectedPrimary(r.Partition, n, r.Epoch,
            r.SinceLastGrantMs < 0 ? null : TimeSpan.FromMilliseconds(r.SinceLastGrantMs))));
        Receive<GetRing>(_ => Sender.Tell(Reply()));
        Receive<Tick>(_ => OnTick());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RingSettings settings, bool deputy = false) => Akka.Actor.Props.Create(() => new RingManager(settings, deputy));

    private TimeSpan Now => _clock.Elapsed;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, _settings.TickInterval);
        _log.Info("{0} started on {1}: collecting the members' last rings", _deputy ? "Deputy RingManager" : "RingManager", _cluster.SelfAddress);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void OnClusterState(ClusterEvent.CurrentClusterState state)
    {
        foreach (var member in state.Members) OnMember(member);
        foreach (var member in state.Unreachable) Handle(_core.Unreachable(RingPaths.NodeIdOf(member.Address), Now));
    }

    private void OnMember(Member member)
    {
        var node = RingPaths.NodeIdOf(member.Address);
        switch (member.Status)
        {
            case MemberStatus.Up:
                _members[node] = member.UniqueAddress;
                if (!_core.IsFormed) AskLastRing(member.Address);
                else if (_published is not null) Keeper(member.Address).Tell(_published, Self);
                if (_proposed is not null) Keeper(member.Address).Tell(_proposed, Self);
                Handle(_core.MemberUp(node, Now));
                break;
            case MemberStatus.Leaving or MemberStatus.Exiting:
                _members[node] = member.UniqueAddress;
                Handle(_core.MemberLeaving(node, Now));
                break;
            case MemberStatus.Removed:
                // A removal of an older incarnation must not remove the new one on the same host:port.
                if (_members.TryGetValue(node, out var known) && !known.Equals(member.UniqueAddress)) break;
                _members.Remove(node);
                Handle(_core.MemberRemoved(node, Now));
                break;
        }
    }

    private void OnLastRing(LastRingReply reply)
    {
        NodeId node;
        RingState? ring;
        try
        {
            node = new NodeId(reply.Node);
            ring = RingWire.FromProtoOrNull(reply.Ring);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            _log.Warning("The last ring reported by {0} was ignored: {1}", Sender.Path.Address, e.Message);
            return;
        }
        var promised = RingBallot.FromProto(reply.Promised);
        if (promised > _ballot)
        {
            Supersede(node, promised);
            return;
        }
        if (reply.Refused) return; // a refusal of an earlier ballot of this manager's, already raised above it
        // Before the first ring, only answers to this ballot's request are promises.
        if (!_core.IsFormed && RingBallot.FromProto(reply.Answers) != _ballot) return;
        Handle(_core.LastRingReported(node, ring, Now, RingBallot.FromProto(reply.AcceptedBallot)));
    }

    /// <summary>A keeper promised a higher ballot: another manager collected the rings since. Start again above it.</summary>
    private void Supersede(NodeId node, RingBallot promised)
    {
        if (_deputy && _core.IsFormed)
        {
            // Someone collected the rings after this deputy did: the manager it stood in for is back, or the singleton
            // has started. Duelling would only delay both.
            _log.Info("{0} promised ballot {1} to another RingManager: this deputy (ballot {2}) stops", node, promised, _ballot);
            Context.Stop(Self);
            return;
        }
        var previous = _ballot;
        _ballot = promised.Above(_self.Value);
        _log.Warning("{0} promised ballot {1} to another RingManager: this one (ballot {2}) collects the members' rings again under {3} before it changes the ring",
            node, promised, previous, _ballot);
        _core.Recollect(Now);
        _proposal = null;
        _proposed = null;
        _latest = null;
        _newRingPending = false;
        foreach (var member in _members.Values) AskLastRing(member.Address);
    }

    private void Gather(string nodeText, Func<NodeId, RingReport> report)
    {
        if (string.IsNullOrWhiteSpace(nodeText))
        {
            _log.Warning("A report from {0} names no node: ignored", Sender.Path.Address);
            return;
        }
        _reports.Add(report(new NodeId(nodeText)));
    }

    private void OnTick()
    {
        if (_reports.Count > 0)
        {
            Handle(_core.Reports(_reports, Now));
            _reports.Clear();
        }
        Handle(_core.Tick(Now));
        // A removal can leave the acceptances already gathered a majority of fewer members.
        if (_proposal is { } proposal && proposal.IsChosen(_core.UpMembers)) Choose();
        if (_newRingPending) Propose(_latest!);
        else if (_proposal is { } waiting && Now - waiting.SentAt >= _settings.RepublishInterval) ProposeAgain(waiting);
        if (_published is not null && Now - _lastPublishAt >= _settings.RepublishInterval) PublishToAll();
        if (!_core.IsFormed && Now - _lastAskAt >= _settings.RepublishInterval)
        {
            foreach (var node in _core.AwaitingReports)
                if (_members.TryGetValue(node, out var member)) AskLastRing(member.Address);
        }
    }

    private void Handle(RingOutcome outcome)
    {
        if (outcome.Publish is { } ring)
        {
            _log.Info(outcome.Note ?? $"New {ring}");
            _latest = ring;
            _newRingPending = true;
        }
        else if (outcome.Note is { } note && _log.IsDebugEnabled)
        {
            _log.Debug(note);
        }
    }

    private void Propose(RingState ring)
    {
        _newRingPending = false;
        _proposal = new RingProposal(ring, Now);
        _proposed = new RingProposed { Ring = RingWire.ToProto(ring), Ballot = _ballot.ToProto() };
        foreach (var member in _members.Values) Keeper(member.Address).Tell(_proposed, Self);
    }

    private void ProposeAgain(RingProposal proposal)
    {
        proposal.Resent(Now);
        foreach (var node in proposal.Awaiting(_core.UpMembers))
            if (_members.TryGetValue(node, out var member)) Keeper(member.Address).Tell(_proposed!, Self);
        _log.Info("Ring epoch {0} is stored by too few members to take effect; proposed again to {1}",
            proposal.Ring.Epoch, string.Join(", ", proposal.Awaiting(_core.UpMembers)));
    }

    private void OnAccepted(RingAccepted accepted)
    {
        if (_proposal is not { } proposal || string.IsNullOrWhiteSpace(accepted.Node)) return;
        if (proposal.Accepted(new NodeId(accepted.Node), accepted.Epoch) && proposal.IsChosen(_core.UpMembers)) Choose();
    }

    /// <summary>A majority stored the proposal: it is the ring in force, published for every node to apply.</summary>
    private void Choose()
    {
        _published = new RingPublished { Ring = _proposed!.Ring, Ballot = _ballot.ToProto() };
        _proposal = null;
        _proposed = null;
        PublishToAll();
    }

    private void PublishToAll()
    {
        _lastPublishAt = Now;
        foreach (var member in _members.Values) Keeper(member.Address).Tell(_published!, Self);
    }

    private void AskLastRing(Address address)
    {
        _lastAskAt = Now;
        Keeper(address).Tell(new LastRingRequest { Ballot = _ballot.ToProto() }, Self);
    }

    private RingReply Reply()
    {
        var waiting = _core.Status().WaitingFor
                      ?? (_published is null && _proposal is { } first
                          ? $"The first ring (epoch {first.Ring.Epoch}) waits for a majority of the members to store it."
                          : "");
        return new RingReply { Ring = _published?.Ring, Status = waiting };
    }

    private ActorSelection Keeper(Address address) => Context.ActorSelection(RingPaths.KeeperOf(address));
}
