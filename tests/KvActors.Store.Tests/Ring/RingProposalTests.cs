using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

public sealed class RingProposalTests
{
    private static readonly RingState Ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3).AtEpoch(5);
    private static readonly NodeId A = new("127.0.0.1:1"), B = new("127.0.0.1:2"), C = new("127.0.0.1:3"), D = new("127.0.0.1:4");

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
    public void Acceptances_of_another_epoch_or_of_nodes_that_are_not_Up_do_not_count()
    {
        var proposal = new RingProposal(Ring, TimeSpan.Zero);

        proposal.Accepted(B, 4).Should().BeFalse("an answer to an older proposal");
        proposal.Accepted(B, 6).Should().BeFalse();
        proposal.Accepted(D, 5).Should().BeTrue();
        proposal.IsChosen([A, B, C]).Should().BeFalse("D is not an Up member");
        proposal.Accepted(A, 5);
        proposal.IsChosen([A, B, C, D]).Should().BeFalse("two of four is no majority");
        proposal.IsChosen([A, D]).Should().BeTrue("once B and C are removed, two of two");
        proposal.IsChosen([]).Should().BeFalse("no members, no majority");
    }

    [Fact]
    public void A_single_member_cluster_chooses_with_its_own_node()
    {
        var proposal = new RingProposal(Ring, TimeSpan.Zero);
        proposal.Accepted(A, 5);
        proposal.IsChosen([A]).Should().BeTrue();
    }
}
