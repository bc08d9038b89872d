using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Ring;

namespace KvActors.Store.Ring;

/// <summary>
/// The cluster singleton that owns the ring (run by a ClusterSingletonManager, see <see cref="RingHost"/>): a thin shell
/// over <see cref="RingManagerCore"/>, which decides the ring, and <see cref="RingPublisher"/>, which publishes it. It
/// feeds the core the cluster's membership and reachability events, the keepers' last rings, the primaries' reports and
/// a clock tick, sends the keepers what the publisher asks, and answers <c>GetRing</c> from anyone with the ring in
/// force. A new ring is published in two phases: proposed to every member's keeper (<c>RingProposed</c>), which stores
/// it, and once a majority of the Up members and a quorum of the rings' nodes have (<see cref="RingProposal"/>),
/// published (<c>RingPublished</c>) for the nodes to apply. At start it asks every member's keeper for the newest ring
/// it stored, so a new manager goes on from the highest epoch the cluster knows.
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
    private readonly RingPublisher _publisher;
    private readonly Dictionary<NodeId, UniqueAddress> _members = [];
    // Reports from the partitions since the last tick: applied together, in one epoch, on the next tick.
    private readonly List<RingReport> _reports = [];
    private readonly NodeId _self;
    // The wire form of the last rings sent, so a ring sent to every member is converted once.
    private (RingState Ring, RingMap Proto)? _lastProto, _otherProto;

    // A deputy (RingDeputy's child, standing in for the manager on that node) yields to any manager that supersedes it
    // once it has formed its ring.
    private readonly bool _deputy;

    /// <param name="standsInFor">For a deputy: the node of the manager it stands in for, whose last ring it does not wait for.</param>
    public RingManager(RingSettings settings, NodeId? standsInFor = null)
    {
        _settings = settings;
        _deputy = standsInFor is not null;
        _core = new RingManagerCore(settings.CoreOptions, Now);
        if (standsInFor is { } host) _core.StandsInFor(host);
        _self = RingPaths.NodeIdOf(_cluster.SelfAddress);
        _publisher = new RingPublisher(_self, settings.RepublishInterval, _core.Forgotten);

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
        Receive<ForgetNodes>(OnForget);
        Receive<Tick>(_ => OnTick());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RingSettings settings, NodeId? standsInFor = null) => Akka.Actor.Props.Create(() => new RingManager(settings, standsInFor));

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
                Send(_publisher.MemberUp(node, _core.IsFormed, Now));
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
        IReadOnlyList<IReadOnlyCollection<NodeId>> replaces;
        try
        {
            node = new NodeId(reply.Node);
            ring = RingWire.FromProtoOrNull(reply.Ring);
            replaces = RingWire.FromProto(reply.Replaces);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            _log.Warning("The last ring reported by {0} was ignored: {1}", Sender.Path.Address, e.Message);
            return;
        }
        var promised = RingBallot.FromProto(reply.Promised);
        switch (_publisher.Heard(promised, reply.Refused, RingBallot.FromProto(reply.Answers), _core.IsFormed))
        {
            case LastRingVerdict.Superseded:
                Supersede(node, promised);
                break;
            case LastRingVerdict.Report:
                Handle(_core.LastRingReported(node, ring, Now, RingBallot.FromProto(reply.AcceptedBallot), replaces));
                break;
        }
    }

    /// <summary>A keeper promised a higher ballot: another manager collected the rings since. Start again above it.</summary>
    private void Supersede(NodeId node, RingBallot promised)
    {
        if (_deputy && _core.IsFormed)
        {
            // Someone collected the rings after this deputy did: the manager it stood in for is back, or the singleton
            // has started. Duelling would only delay both.
            _log.Info("{0} promised ballot {1} to another RingManager: this deputy (ballot {2}) stops", node, promised, _publisher.Ballot);
            Context.Stop(Self);
            return;
        }
        var previous = _publisher.Ballot;
        _core.Recollect(Now);
        Send(_publisher.Supersede(promised, _members.Keys, Now));
        _log.Warning("{0} promised ballot {1} to another RingManager: this one (ballot {2}) collects the members' rings again under {3} before it changes the ring",
            node, promised, previous, _publisher.Ballot);
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
        Send(_publisher.Tick(Now, _core.UpMembers, _members.Keys, _core.IsFormed, _core.AwaitingReports, out var resent));
        if (resent is not null)
            _log.Info("Ring epoch {0} is stored by too few members to take effect; proposed again to {1}{2}",
                resent.Ring.Epoch, string.Join(", ", resent.Awaiting(_core.UpMembers)), Missing(resent));
    }

    private void Handle(RingOutcome outcome)
    {
        if (outcome.Publish is { } ring)
        {
            _log.Info(outcome.Note ?? $"New {ring}");
            _publisher.NewRing(ring, _core.FormedFrom);
        }
        else if (outcome.Note is { } note && _log.IsDebugEnabled)
        {
            _log.Debug(note);
        }
    }

    private void OnAccepted(RingAccepted accepted)
    {
        if (string.IsNullOrWhiteSpace(accepted.Node)) return;
        Send(_publisher.Accepted(new NodeId(accepted.Node), accepted.Epoch, _core.UpMembers, _members.Keys, Now));
    }

    private void Send(List<RingCommand> commands)
    {
        foreach (var command in commands)
        {
            if (!_members.TryGetValue(command.To, out var member)) continue;
            object message = command.Kind switch
            {
                RingCommandKind.AskLastRing => new LastRingRequest { Ballot = command.Ballot.ToProto() },
                RingCommandKind.Propose => new RingProposed
                {
                    Ring = Proto(command.Ring!), Ballot = command.Ballot.ToProto(), Replaces = { RingWire.ToProto(command.Replaces ?? []) },
                },
                _ => new RingPublished { Ring = Proto(command.Ring!), Ballot = command.Ballot.ToProto() },
            };
            Keeper(member.Address).Tell(message, Self);
        }
    }

    /// <summary>The wire form of <paramref name="ring"/>, converted once for the two rings last sent (proposed and published).</summary>
    private RingMap Proto(RingState ring)
    {
        if (_lastProto is { } last && ReferenceEquals(last.Ring, ring)) return last.Proto;
        if (_otherProto is { } other && ReferenceEquals(other.Ring, ring)) return other.Proto;
        var proto = RingWire.ToProto(ring);
        _otherProto = _lastProto;
        _lastProto = (ring, proto);
        return proto;
    }

    private RingReply Reply() => new()
    {
        Ring = _publisher.Published is { } ring ? Proto(ring) : null,
        Status = _core.Status().WaitingFor ?? ProposalWaiting() ?? "",
    };

    /// <summary>
    /// The first ring until it is chosen; after it, a proposal not chosen within a republish interval: no change (a
    /// failover included) takes effect until it is, and `kv ring show` says so.
    /// </summary>
    private string? ProposalWaiting()
    {
        if (_publisher.Proposal is not { } proposal) return null;
        const string stored = "to be stored by a majority of the members and a quorum of the nodes of its rings";
        if (_publisher.Published is not { } inForce) return $"The first ring (epoch {proposal.Ring.Epoch}) waits {stored}{Missing(proposal)}.";
        var waited = Now - proposal.ProposedAt;
        return waited < _settings.RepublishInterval ? null
            : $"Ring epoch {proposal.Ring.Epoch} has waited {waited.TotalSeconds:F0} s {stored}{Missing(proposal)}; epoch {inForce.Epoch} stays in force until then.";
    }

    private string Missing(RingProposal proposal) =>
        proposal.MissingFromQuorums(_core.Forgotten).ToList() is { Count: > 0 } missing ? $" (waiting for {string.Join(", ", missing)})" : "";

    /// <summary>
    /// An operator says these nodes are gone for good (<c>kv ring forget</c>): the quorums of the rings' nodes stop
    /// counting them, in this manager only (once a ring without them is chosen the next quorums are over its nodes, so
    /// only a manager handed over before that counts them again, until told again). A member cannot be forgotten. A ring
    /// that only forgotten nodes stored is lost with them; that is the operator's call.
    /// </summary>
    private void OnForget(ForgetNodes message)
    {
        var nodes = new List<NodeId>();
        foreach (var text in message.Nodes)
        {
            if (string.IsNullOrWhiteSpace(text) || text.LastIndexOf(':') <= 0)
            {
                Sender.Tell(new ForgetNodesReply { Message = $"'{text}' is not a node's host:port: nothing was forgotten." });
                return;
            }
            nodes.Add(new NodeId(text.Trim()));
        }
        if (nodes.Count == 0)
        {
            Sender.Tell(new ForgetNodesReply { Message = "No node named: nothing was forgotten." });
            return;
        }
        if (nodes.FirstOrDefault(_members.ContainsKey) is { Value: not null } member)
        {
            Sender.Tell(new ForgetNodesReply { Message = $"{member} is a member of the cluster: only a node that was removed can be forgotten (down it first); nothing was forgotten." });
            return;
        }
        _core.Forget(nodes);
        _log.Warning("Forgetting {0} as an operator asked: the quorums of the rings' nodes no longer count them", string.Join(", ", nodes));
        Handle(_core.Tick(Now));
        Sender.Tell(new ForgetNodesReply
        {
            Forgotten = true,
            Message = $"Forgot {string.Join(", ", nodes)}: this RingManager no longer counts them in the quorums of the rings' nodes (tell the next one again if it is handed over before a ring without them is chosen).",
        });
    }

    private ActorSelection Keeper(Address address) => Context.ActorSelection(RingPaths.KeeperOf(address));
}
