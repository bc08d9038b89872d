using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

public sealed class RingProposalTests
{
    private static readonly NodeId A = Member(1), B = Member(2), C = Member(3), D = Member(4), E = Member(5);
    // A ring on A, B and C.
    private static readonly RingState Ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3).AtEpoch(5);

    [Fact]
    public void It_is_chosen_once_more_than_half_of_the_Up_members_stored_it()
    {
        var proposal = new RingProposal(Ring, TimeSpan.Zero);
        NodeId[] up = [A, B, C];

        proposal.Accepted(A, 5).Should().BeTrue();
        proposal.IsChosen(up).Should().BeFalse("one of three is no majority: a manager cut off with its own node applies nothing");
        proposal.Accepted(A, 5).Should().BeFalse("the same node counts once");
        proposal.IsChosen(up).Should().BeFalse();
        proposal.Accepted(C, 5).Should().BeTrue();
        proposal.IsChosen(up).Should().BeTrue();
        proposal.Awaiting(up).Should().Equal(B);
    }

    [Fact]
    public void Acceptances_of_another_epoch_never_count_and_of_nodes_that_are_not_Up_not_for_the_members_majority()
    {
        var proposal = new RingProposal(Ring, TimeSpan.Zero);

        proposal.Accepted(B, 4).Should().BeFalse("an answer to an older proposal");
        proposal.Accepted(B, 6).Should().BeFalse();
        proposal.Accepted(D, 5).Should().BeTrue();
        proposal.Accepted(A, 5);
        proposal.IsChosen([A, B, C, D]).Should().BeFalse("two of four Up members is no majority");
        proposal.IsChosen([A, D]).Should().BeFalse("two of two Up members once B and C are removed, but A alone is no quorum of the ring's nodes A, B, C");
        proposal.Accepted(C, 5);
        proposal.IsChosen([A, C, D]).Should().BeTrue();
        proposal.IsChosen([]).Should().BeFalse("no members, no majority");
    }

    [Fact]
    public void It_also_needs_a_quorum_of_its_own_nodes_and_of_the_nodes_of_the_ring_it_replaces()
    {
        // Raft's joint quorum: the members' majority alone is not enough once the membership has changed.
        var proposal = new RingProposal(Ring, TimeSpan.Zero, replaces: [[A, B, D, E]]);
        proposal.Accepted(B, 5);
        proposal.Accepted(D, 5);
        proposal.Accepted(E, 5);
        proposal.IsChosen([B, D, E]).Should().BeFalse("one of its own nodes A, B, C is no quorum");
        proposal.MissingFromQuorums().Should().Equal(A, C);

        proposal.Accepted(C, 5);
        proposal.IsChosen([B, C, D, E]).Should().BeTrue("B and C of A, B, C; B, D and E of A, B, D, E");

        var halfOfTheOld = new RingProposal(Ring, TimeSpan.Zero, replaces: [[A, B, D, E]]);
        foreach (var n in new[] { B, C, D }) halfOfTheOld.Accepted(n, 5);
        halfOfTheOld.IsChosen([B, C, D]).Should().BeFalse("B and D are half of A, B, D, E without its lowest node A");
        halfOfTheOld.Accepted(A, 5);
        halfOfTheOld.IsChosen([A, B, C, D]).Should().BeTrue();
        halfOfTheOld.MissingFromQuorums().Should().BeEmpty();
    }

    [Fact]
    public void Forgotten_nodes_are_not_counted_in_the_quorums_of_the_rings_nodes()
    {
        // A ring on A alone replacing one on A, B, C, whose B and C are gone for good (kv ring forget).
        var alone = RingPlanner.Plan(RingState.Empty(16, 3), [A], 3).AtEpoch(5);
        var proposal = new RingProposal(alone, TimeSpan.Zero, replaces: [[A, B, C]]);
        proposal.Accepted(A, 5);
        proposal.IsChosen([A]).Should().BeFalse("A is one of A, B, C");
        proposal.MissingFromQuorums().Should().Equal(B, C);
        proposal.IsChosen([A], forgotten: new HashSet<NodeId> { B }).Should().BeTrue("A is half of A, C and the lowest");
        proposal.IsChosen([A], forgotten: new HashSet<NodeId> { B, C }).Should().BeTrue();
        proposal.MissingFromQuorums(new HashSet<NodeId> { B, C }).Should().BeEmpty();
    }

    [Fact]
    public void A_single_member_cluster_chooses_with_its_own_node()
    {
        var alone = RingPlanner.Plan(RingState.Empty(16, 3), [A], 3).AtEpoch(5);
        var proposal = new RingProposal(alone, TimeSpan.Zero);
        proposal.Accepted(A, 5);
        proposal.IsChosen([A]).Should().BeTrue();
    }
}
