using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>
/// A ring the RingManager has proposed and the members that have stored it (<c>RingAccepted</c>). It is chosen, and
/// may be published for the nodes to apply, once it is stored by more than half of the Up members, by a quorum of the
/// nodes of the ring it replaces (<paramref name="replaces"/>: the ring in force, or before a manager's first ring every
/// reported ring it may be replacing) and by a quorum of its own nodes (<see cref="RingQuorum"/>), as Raft commits a
/// configuration change in the old and the new configuration at once. A new manager hears from a quorum of the nodes of
/// the newest rings reported to it, which meets every later chosen ring's quorum, so a ring that took effect is never
/// lost with the manager that made it, however the membership changed in between. Akka's singleton keeps one manager
/// per side of a partition; this is what stops the one on the minority side from changing what the nodes apply.
/// (Akka offers no replicated register with this guarantee: Akka.DistributedData's majority writes are not fenced
/// against a concurrent writer, so this small two-phase publication is ours.)
/// </summary>
public sealed class RingProposal(RingState ring, TimeSpan proposedAt, IReadOnlyList<IReadOnlyCollection<NodeId>>? replaces = null)
{
    private readonly IReadOnlyList<NodeId> _nodes = ring.Nodes;
    private readonly HashSet<NodeId> _stored = [];

    public RingState Ring { get; } = ring;

    /// <summary>The nodes of the rings it replaces, each needing a quorum; sent with it, so a keeper reports them with it.</summary>
    public IReadOnlyList<IReadOnlyCollection<NodeId>> Replaces { get; } = replaces ?? [];

    /// <summary>When it was first proposed.</summary>
    public TimeSpan ProposedAt { get; } = proposedAt;

    /// <summary>When it was last sent to the members (the shell sends it again to those that have not answered).</summary>
    public TimeSpan SentAt { get; private set; } = proposedAt;

    /// <summary>Records that <paramref name="node"/> stored the ring at <paramref name="epoch"/>; false (ignored) for another epoch.</summary>
    public bool Accepted(NodeId node, long epoch) => epoch == Ring.Epoch && _stored.Add(node);

    /// <summary>
    /// Whether more than half of <paramref name="upMembers"/> (leaving ones included) have stored it, and quorums of its
    /// own nodes and of those of every ring it replaces; for the majority, acceptances of non-members do not count.
    /// </summary>
    public bool IsChosen(IReadOnlyCollection<NodeId> upMembers, IReadOnlySet<NodeId>? forgotten = null) =>
        upMembers.Count(_stored.Contains) * 2 > upMembers.Count
        && Replaces.Append(_nodes).All(nodes => RingQuorum.IsMet(RingQuorum.Without(nodes, forgotten), _stored.Contains));

    /// <summary>For the log: the nodes whose acceptance is still missing for the quorums of the rings' own nodes.</summary>
    public IEnumerable<NodeId> MissingFromQuorums(IReadOnlySet<NodeId>? forgotten = null) =>
        Replaces.Append(_nodes).Select(nodes => RingQuorum.Without(nodes, forgotten)).Where(nodes => !RingQuorum.IsMet(nodes, _stored.Contains))
            .SelectMany(nodes => nodes.Where(n => !_stored.Contains(n))).Distinct().Order();

    /// <summary>The Up members that have not stored it yet.</summary>
    public IEnumerable<NodeId> Awaiting(IEnumerable<NodeId> upMembers) => upMembers.Where(n => !_stored.Contains(n));

    public void Resent(TimeSpan now) => SentAt = now;
}
