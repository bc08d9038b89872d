using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

public sealed class RingAcceptorTests
{
    private static readonly RingState Ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3).AtEpoch(5);
    private static readonly RingBallot A1 = new(1, "127.0.0.1:1"), B1 = new(1, "127.0.0.1:2"), A2 = new(2, "127.0.0.1:1");

    [Fact]
    public void Ballots_order_by_round_then_node()
    {
        (A1 < B1).Should().BeTrue();
        (B1 < A2).Should().BeTrue();
        (RingBallot.None < A1).Should().BeTrue();
        B1.Above("127.0.0.1:1").Should().Be(A2);
        (default(RingBallot) == RingBallot.None).Should().BeFalse("a default ballot has a null node");
        default(RingBallot).CompareTo(RingBallot.None).Should().Be(0, "but orders as None");
    }

    [Fact]
    public void A_promise_refuses_every_lower_ballot_for_good()
    {
        var acceptor = new RingAcceptor(4, RingBallot.None, RingBallot.None, null, RingBallot.None);

        acceptor.Prepare(B1).Should().BeTrue();
        acceptor.Prepare(A1).Should().BeFalse("a lower ballot than the one promised");
        acceptor.Accept(A1, Ring).Should().BeFalse("a manager superseded by B1 gets nothing accepted here");
        acceptor.Accepted.Should().BeNull();
        acceptor.Prepare(B1).Should().BeTrue("the same manager asking again");
        acceptor.Accept(B1, Ring).Should().BeTrue();
        acceptor.Promised.Should().Be(B1);
        acceptor.Accept(A2, Ring.AtEpoch(6)).Should().BeTrue("a higher ballot needs no prepare first");
        acceptor.Promised.Should().Be(A2, "accepting promises too");
        acceptor.Prepare(B1).Should().BeFalse();
    }

    [Fact]
    public void One_ring_per_epoch_unless_a_higher_ballot_replaces_it_and_none_at_or_below_the_applied_epoch()
    {
        var acceptor = new RingAcceptor(4, RingBallot.None, RingBallot.None, null, RingBallot.None);
        var other = Ring.WithPartition(0, Set([2, 3])).AtEpoch(5);

        acceptor.Accept(A1, Ring.AtEpoch(4)).Should().BeFalse("epoch 4 is applied already");
        acceptor.Accept(A1, Ring).Should().BeTrue();
        acceptor.Accept(A1, Ring).Should().BeTrue("the same proposal again");
        acceptor.Accept(A1, other).Should().BeFalse("another ring at the accepted epoch under the same ballot");
        acceptor.Accept(B1, Ring.AtEpoch(4)).Should().BeFalse("below the accepted epoch");
        acceptor.Accept(B1, other).Should().BeTrue("a higher ballot's manager heard a majority first, so the ring it replaces was never chosen");
        acceptor.Accepted.Should().Be(other);
        acceptor.AcceptedBallot.Should().Be(B1);

        acceptor.Applied(5, B1);
        acceptor.Accepted.Should().BeNull("applied: done with");
        acceptor.AppliedBallot.Should().Be(B1);
        acceptor.Accept(B1, other).Should().BeFalse("at the applied epoch");
        acceptor.Promised.Should().Be(B1, "the promise outlives the accepted ring");
        acceptor.Applied(7, A2);
        acceptor.Promised.Should().Be(A2, "a ring chosen under a higher ballot was promised by a majority: promised here too");
        acceptor.Prepare(B1).Should().BeFalse();
    }

    [Fact]
    public void An_accepted_ring_loaded_at_or_below_the_applied_epoch_is_none()
    {
        new RingAcceptor(5, A1, A1, Ring, A1).Accepted.Should().BeNull();
        new RingAcceptor(5, A2, A1, null, RingBallot.None).Promised.Should().Be(A2, "the applied ring's ballot is promised");
        var loaded = new RingAcceptor(4, RingBallot.None, A2, Ring, A1);
        loaded.Accepted.Should().Be(Ring);
        loaded.AcceptedBallot.Should().Be(A1);
        loaded.Promised.Should().Be(A2);
    }

    [Fact]
    public void The_nodes_an_accepted_ring_replaces_are_kept_with_it_and_dropped_with_it()
    {
        IReadOnlyList<IReadOnlyCollection<NodeId>> replaces = [Members(1, 2, 4, 5)];
        var acceptor = new RingAcceptor(4, RingBallot.None, RingBallot.None, null, RingBallot.None);

        acceptor.Accept(A1, Ring, replaces).Should().BeTrue();
        acceptor.AcceptedReplaces.Should().BeSameAs(replaces, "a later manager that finds this ring must hear from a quorum of them");
        acceptor.Accept(A1, Ring.AtEpoch(6)).Should().BeTrue();
        acceptor.AcceptedReplaces.Should().BeEmpty("they belong to the ring they came with");
        new RingAcceptor(4, RingBallot.None, A1, Ring, A1, replaces).AcceptedReplaces.Should().BeSameAs(replaces, "loaded back with the ring");
        new RingAcceptor(5, RingBallot.None, A1, Ring, A1, replaces).AcceptedReplaces.Should().BeEmpty("no accepted ring above the applied one");

        acceptor.Accept(A1, Ring.AtEpoch(7), replaces);
        acceptor.Applied(7, A1);
        acceptor.AcceptedReplaces.Should().BeEmpty("an applied ring was chosen: what it replaced no longer matters");
    }
}
