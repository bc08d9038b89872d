using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>What a <see cref="RingPublisher"/> asks its shell to send to one member's keeper.</summary>
public enum RingCommandKind
{
    /// <summary><c>LastRingRequest</c>: which is the newest ring you stored? (a promise of the ballot)</summary>
    AskLastRing,
    /// <summary><c>RingProposed</c>: store this ring (first phase).</summary>
    Propose,
    /// <summary><c>RingPublished</c>: a majority stored this ring; apply it (second phase).</summary>
    Publish,
}

/// <summary>
/// One message for the keeper of <paramref name="To"/>: <paramref name="Ring"/> is null for
/// <see cref="RingCommandKind.AskLastRing"/>; <paramref name="Replaces"/> is set for <see cref="RingCommandKind.Propose"/> only.
/// </summary>
public sealed record RingCommand(NodeId To, RingCommandKind Kind, RingBallot Ballot, RingState? Ring,
    IReadOnlyList<IReadOnlyCollection<NodeId>>? Replaces = null);

/// <summary>How a manager takes a keeper's <c>LastRingReply</c> (see <see cref="RingPublisher.Heard"/>).</summary>
public enum LastRingVerdict
{
    /// <summary>An answer to this manager's ballot (or, once formed, news of a ring): hand the ring to the core.</summary>
    Report,
    /// <summary>The keeper promised a higher ballot: another manager collected the rings since (<see cref="RingPublisher.Supersede"/>).</summary>
    Superseded,
    /// <summary>A refusal already dealt with, or an answer to an earlier ballot of this manager's.</summary>
    Ignore,
}

/// <summary>
/// The RingManager's side of the ring's two-phase publication, pure (no actors, no clock: time is the <c>now</c>
/// argument). The keepers' side is <see cref="RingAcceptor"/>; which ring to publish is <see cref="RingManagerCore"/>'s.
/// <list type="bullet">
/// <item>Collect: the manager asks every member's keeper for its newest ring under its ballot (a promise), again each
/// republish interval while the core still waits for answers.</item>
/// <item>Propose: at most one ring per tick, the newest the core made (a newer one replaces a proposal not chosen yet:
/// nothing applies a ring before it is chosen, so none is lost by that); sent again each republish interval to the Up
/// members that have not stored it.</item>
/// <item>Choose and publish: once more than half of the Up members stored it, and quorums of its own nodes and of the
/// ring it replaces (<see cref="RingProposal"/>), it is the ring
/// in force, sent to every member, and again each republish interval since a message can be lost.</item>
/// <item>Superseded: a keeper promised a higher ballot, so another manager collected since; this one raises its ballot
/// above it, forgets what it proposed and collects again (the shell has the core start over).</item>
/// </list>
/// </summary>
/// <param name="forgotten">Nodes an operator declared gone for good, not counted in the quorums of the rings' nodes: the
/// core's set (<see cref="RingManagerCore.Forgotten"/>), read here, never changed.</param>
public sealed class RingPublisher(NodeId self, TimeSpan republishInterval, IReadOnlySet<NodeId>? forgotten = null)
{
    private readonly IReadOnlySet<NodeId> _forgotten = forgotten ?? new HashSet<NodeId>();
    private RingState? _latest;
    private IReadOnlyList<IReadOnlyCollection<NodeId>> _formedFrom = [];
    private bool _newRingPending;
    private TimeSpan _lastPublishAt;
    private TimeSpan _lastAskAt;

    /// <summary>Asked and proposed under; raised above any higher one a keeper reports.</summary>
    public RingBallot Ballot { get; private set; } = new(1, self.Value);

    /// <summary>The ring in force: chosen by a majority and published (null: none yet).</summary>
    public RingState? Published { get; private set; }

    /// <summary>The ballot <see cref="Published"/> was chosen under.</summary>
    public RingBallot PublishedBallot { get; private set; } = RingBallot.None;

    /// <summary>The newest ring proposed and waiting for a majority (null: none).</summary>
    public RingProposal? Proposal { get; private set; }

    /// <summary>
    /// A new ring of the core, proposed at the next tick: while a cluster rebalances, learners catch up one partition at
    /// a time, and proposing each of those rings at once would make every node reconfigure (and persist a ring) hundreds
    /// of times a second. <paramref name="formedFrom"/> are the nodes of the rings the manager's first ring replaces
    /// (<see cref="RingManagerCore.FormedFrom"/>); once a ring is chosen under this ballot, the next replaces that one.
    /// </summary>
    public void NewRing(RingState ring, IReadOnlyList<IReadOnlyCollection<NodeId>> formedFrom)
    {
        _latest = ring;
        _formedFrom = formedFrom;
        _newRingPending = true;
    }

    /// <summary>
    /// How to take a keeper's answer: <paramref name="promised"/> is its promise, <paramref name="refused"/> whether it
    /// refused a request of this manager, <paramref name="answers"/> the ballot of the request it answers. Before the
    /// first ring, only answers to the current ballot are promises.
    /// </summary>
    public LastRingVerdict Heard(RingBallot promised, bool refused, RingBallot answers, bool formed) =>
        promised > Ballot ? LastRingVerdict.Superseded
        : refused || (!formed && answers != Ballot) ? LastRingVerdict.Ignore
        : LastRingVerdict.Report;

    /// <summary>A member is Up: ask it for its ring before the first, else send what it has missed.</summary>
    public List<RingCommand> MemberUp(NodeId node, bool formed, TimeSpan now)
    {
        var commands = new List<RingCommand>();
        if (!formed) commands.Add(Ask(node, now));
        else if (Published is { } published) commands.Add(new RingCommand(node, RingCommandKind.Publish, PublishedBallot, published));
        if (Proposal is { } proposal) commands.Add(Propose(node, proposal));
        return commands;
    }

    /// <summary>
    /// A keeper promised <paramref name="promised"/>, above this manager's ballot: take the next ballot above it, drop
    /// what was proposed and ask every member again.
    /// </summary>
    public List<RingCommand> Supersede(RingBallot promised, IEnumerable<NodeId> members, TimeSpan now)
    {
        Ballot = promised.Above(self.Value);
        Proposal = null;
        _latest = null;
        _formedFrom = [];
        _newRingPending = false;
        return members.Select(m => Ask(m, now)).ToList();
    }

    /// <summary><paramref name="node"/> stored the proposal at <paramref name="epoch"/>; the publication once that makes a majority.</summary>
    public List<RingCommand> Accepted(NodeId node, long epoch, IReadOnlyCollection<NodeId> upMembers, IEnumerable<NodeId> members, TimeSpan now) =>
        Proposal is { } proposal && proposal.Accepted(node, epoch) && proposal.IsChosen(upMembers, _forgotten) ? Choose(members, now) : [];

    /// <summary>
    /// Time passes (after the core's own tick): choose a proposal that a removal has made a majority, propose the newest
    /// ring, and send again what is due. <paramref name="members"/> are the keepers to send to (Up and leaving members);
    /// <paramref name="awaitingReports"/> the members the core still waits to hear from. <paramref name="resent"/> is
    /// the proposal sent again to members that have not stored it, if it was.
    /// </summary>
    public List<RingCommand> Tick(TimeSpan now, IReadOnlyCollection<NodeId> upMembers, IReadOnlyCollection<NodeId> members,
        bool formed, IEnumerable<NodeId> awaitingReports, out RingProposal? resent)
    {
        resent = null;
        var commands = new List<RingCommand>();
        // A removal (or a node forgotten) can leave the acceptances already gathered a quorum.
        if (Proposal is { } chosen && chosen.IsChosen(upMembers, _forgotten)) commands.AddRange(Choose(members, now));
        if (_newRingPending)
        {
            _newRingPending = false;
            var replaces = Published is { } inForce && PublishedBallot == Ballot ? [inForce.Nodes] : _formedFrom;
            var proposal = Proposal = new RingProposal(_latest!, now, replaces);
            commands.AddRange(members.Select(m => Propose(m, proposal)));
        }
        else if (Proposal is { } waiting && now - waiting.SentAt >= republishInterval)
        {
            waiting.Resent(now);
            resent = waiting;
            var known = members.ToHashSet();
            commands.AddRange(waiting.Awaiting(upMembers).Where(known.Contains)
                .Select(m => Propose(m, waiting)));
        }
        if (Published is not null && now - _lastPublishAt >= republishInterval) commands.AddRange(PublishToAll(members, now));
        if (!formed && now - _lastAskAt >= republishInterval)
            commands.AddRange(awaitingReports.Where(members.Contains).Select(m => Ask(m, now)).ToList());
        return commands;
    }

    /// <summary>A majority stored the proposal: it is the ring in force, published to every member.</summary>
    private List<RingCommand> Choose(IEnumerable<NodeId> members, TimeSpan now)
    {
        Published = Proposal!.Ring;
        PublishedBallot = Ballot;
        Proposal = null;
        return PublishToAll(members, now);
    }

    private List<RingCommand> PublishToAll(IEnumerable<NodeId> members, TimeSpan now)
    {
        _lastPublishAt = now;
        return members.Select(m => new RingCommand(m, RingCommandKind.Publish, PublishedBallot, Published)).ToList();
    }

    private RingCommand Propose(NodeId node, RingProposal proposal) =>
        new(node, RingCommandKind.Propose, Ballot, proposal.Ring, proposal.Replaces);

    private RingCommand Ask(NodeId node, TimeSpan now)
    {
        _lastAskAt = now;
        return new RingCommand(node, RingCommandKind.AskLastRing, Ballot, null);
    }
}
