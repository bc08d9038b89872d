using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>
/// A ring the RingManager has proposed and the members that have stored it (<c>RingAccepted</c>). It is chosen, and
/// may be published for the nodes to apply, once more than half of the Up members have stored it. A new manager reads
/// the newest ring of every Up member or of a majority, which meets every chosen ring's majority, so a ring that took
/// effect is never lost with the manager that made it. Akka's singleton keeps one manager per side of a partition;
/// this is what stops the one on the minority side from changing what the nodes apply.
/// (Akka offers no replicated register with this guarantee: Akka.DistributedData's majority writes are not fenced
/// against a concurrent writer, so this small two-phase publication is ours.)
/// </summary>
public sealed class RingProposal(RingState ring, TimeSpan proposedAt)
{
    private readonly HashSet<NodeId> _stored = [];

    public RingState Ring { get; } = ring;

    /// <summary>When it was last sent to the members (the shell sends it again to those that have not answered).</summary>
    public TimeSpan SentAt { get; private set; } = proposedAt;

    /// <summary>Records that <paramref name="node"/> stored the ring at <paramref name="epoch"/>; false (ignored) for another epoch.</summary>
    public bool Accepted(NodeId node, long epoch) => epoch == Ring.Epoch && _stored.Add(node);

    /// <summary>Whether more than half of <paramref name="upMembers"/> (leaving ones included) have stored it; acceptances of others do not count.</summary>
    public bool IsChosen(IReadOnlyCollection<NodeId> upMembers) => upMembers.Count(_stored.Contains) * 2 > upMembers.Count;

    /// <summary>The Up members that have not stored it yet.</summary>
    public IEnumerable<NodeId> Awaiting(IEnumerable<NodeId> upMembers) => upMembers.Where(n => !_stored.Contains(n));

    public void Resent(TimeSpan now) => SentAt = now;
}
