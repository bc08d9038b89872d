using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

public sealed class RingPublisherTests
{
    private static readonly TimeSpan Republish = TimeSpan.FromMilliseconds(500);
    private static readonly NodeId[] Three = MembersUpTo(3);
    private static readonly RingState Ring = RingPlanner.Plan(RingState.Empty(16, 3), Three, 3).AtEpoch(5);

    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    private static RingPublisher Proposing(RingState ring, TimeSpan at)
    {
        var publisher = new RingPublisher(Member(1), Republish);
        publisher.NewRing(ring, []);
        publisher.Tick(at, Three, Three, formed: true, [], out _);
        return publisher;
    }

    [Fact]
    public void A_new_ring_waits_for_the_tick_and_only_the_newest_is_proposed()
    {
        var publisher = new RingPublisher(Member(1), Republish);
        publisher.NewRing(Ring, []);
        publisher.NewRing(Ring.AtEpoch(6), []);
        publisher.Proposal.Should().BeNull("nothing is sent between ticks");

        var commands = publisher.Tick(Ms(100), Three, Three, formed: true, [], out _);

        commands.Should().HaveCount(3).And.OnlyContain(c => c.Kind == RingCommandKind.Propose && c.Ring!.Epoch == 6);
        commands.Select(c => c.To).Should().BeEquivalentTo(Three);
        publisher.Tick(Ms(200), Three, Three, formed: true, [], out _).Should().BeEmpty("proposed once, until the republish interval");
    }

    [Fact]
    public void A_majority_of_the_Up_members_chooses_the_ring_and_it_is_published_to_every_member()
    {
        var publisher = Proposing(Ring, Ms(0));

        publisher.Accepted(Member(1), 5, Three, Three, Ms(10)).Should().BeEmpty("one of three is no majority");
        publisher.Accepted(Member(2), 4, Three, Three, Ms(10)).Should().BeEmpty("an acceptance of another epoch does not count");
        var published = publisher.Accepted(Member(2), 5, Three, Three, Ms(20));

        published.Should().HaveCount(3).And.OnlyContain(c => c.Kind == RingCommandKind.Publish && ReferenceEquals(c.Ring, Ring));
        publisher.Published.Should().BeSameAs(Ring);
        publisher.PublishedBallot.Should().Be(publisher.Ballot);
        publisher.Proposal.Should().BeNull();
        publisher.Tick(Ms(400), Three, Three, formed: true, [], out _).Should().BeEmpty();
        publisher.Tick(Ms(520), Three, Three, formed: true, [], out _).Should().HaveCount(3, "the ring in force is sent again each republish interval");
    }

    [Fact]
    public void A_proposal_not_chosen_is_sent_again_only_to_the_members_that_have_not_stored_it()
    {
        var publisher = Proposing(Ring, Ms(0));
        publisher.Accepted(Member(3), 5, Three, Three, Ms(10));

        var again = publisher.Tick(Ms(500), Three, Three, formed: true, [], out var resent);

        resent.Should().NotBeNull();
        again.Select(c => c.To).Should().BeEquivalentTo([Member(1), Member(2)]);
        again.Should().OnlyContain(c => c.Kind == RingCommandKind.Propose);
    }

    [Fact]
    public void A_removal_that_leaves_the_acceptances_a_majority_chooses_the_ring_at_the_next_tick()
    {
        var five = MembersUpTo(5);
        var publisher = new RingPublisher(Member(1), Republish);
        publisher.NewRing(Ring, []);
        publisher.Tick(Ms(0), five, five, formed: true, [], out _);
        publisher.Accepted(Member(1), 5, five, five, Ms(10)).Should().BeEmpty();
        publisher.Accepted(Member(2), 5, five, five, Ms(10)).Should().BeEmpty("two of five is no majority");

        publisher.Tick(Ms(100), Three, Three, formed: true, [], out _).Should().OnlyContain(c => c.Kind == RingCommandKind.Publish);
        publisher.Published.Should().BeSameAs(Ring, "two of the three members left are");
    }

    [Fact]
    public void Superseded_it_takes_a_ballot_above_the_promise_drops_its_proposal_and_asks_every_member_again()
    {
        var publisher = Proposing(Ring, Ms(0));
        var higher = new RingBallot(7, Member(3).Value);

        publisher.Heard(higher, refused: true, RingBallot.None, formed: true).Should().Be(LastRingVerdict.Superseded);
        var asks = publisher.Supersede(higher, Three, Ms(10));

        publisher.Ballot.Should().Be(new RingBallot(8, Member(1).Value));
        publisher.Proposal.Should().BeNull();
        asks.Should().HaveCount(3).And.OnlyContain(c => c.Kind == RingCommandKind.AskLastRing && c.Ballot == publisher.Ballot);
        publisher.Tick(Ms(100), Three, Three, formed: false, [], out _).Should().BeEmpty("the dropped proposal is not sent again");
    }

    [Fact]
    public void Before_the_first_ring_only_answers_to_the_current_ballot_count()
    {
        var publisher = new RingPublisher(Member(1), Republish);
        var ballot = publisher.Ballot;

        publisher.Heard(ballot, refused: false, ballot, formed: false).Should().Be(LastRingVerdict.Report);
        publisher.Heard(ballot, refused: false, RingBallot.None, formed: false).Should().Be(LastRingVerdict.Ignore, "an answer to no request is no promise");
        publisher.Heard(ballot, refused: true, ballot, formed: false).Should().Be(LastRingVerdict.Ignore);
        publisher.Heard(ballot, refused: false, RingBallot.None, formed: true).Should().Be(LastRingVerdict.Report, "once formed, news of a ring counts");
    }

    [Fact]
    public void A_member_Up_is_asked_before_the_first_ring_and_sent_the_ring_in_force_and_the_proposal_after()
    {
        var publisher = new RingPublisher(Member(1), Republish);
        publisher.MemberUp(Member(2), formed: false, Ms(0)).Should().ContainSingle(c => c.Kind == RingCommandKind.AskLastRing);

        publisher = Proposing(Ring, Ms(0));
        publisher.Accepted(Member(1), 5, Three, Three, Ms(10));
        publisher.Accepted(Member(2), 5, Three, Three, Ms(10));
        publisher.NewRing(Ring.AtEpoch(6), []);
        publisher.Tick(Ms(100), Three, Three, formed: true, [], out _);

        var sent = publisher.MemberUp(Member(4), formed: true, Ms(150));
        sent.Select(c => (c.Kind, c.Ring!.Epoch)).Should().Equal((RingCommandKind.Publish, 5L), (RingCommandKind.Propose, 6L));
    }

    [Fact]
    public void Before_the_first_ring_the_members_not_heard_from_are_asked_again_each_republish_interval()
    {
        var publisher = new RingPublisher(Member(1), Republish);
        publisher.MemberUp(Member(2), formed: false, Ms(0));

        publisher.Tick(Ms(400), Three, Three, formed: false, [Member(2)], out _).Should().BeEmpty();
        publisher.Tick(Ms(500), Three, Three, formed: false, [Member(2), Member(4)], out _)
            .Should().ContainSingle(c => c.Kind == RingCommandKind.AskLastRing && c.To == Member(2), "a node that is not a member is not asked");
    }

    [Fact]
    public void The_first_ring_replaces_the_rings_it_was_formed_from_and_each_later_one_the_ring_in_force()
    {
        IReadOnlyList<IReadOnlyCollection<NodeId>> formedFrom = [Members(1, 2, 4, 5), Members(3, 4, 5)];
        var publisher = new RingPublisher(Member(1), Republish);
        publisher.NewRing(Ring, formedFrom);
        var first = publisher.Tick(Ms(100), Three, Three, formed: true, [], out _);

        first.Should().OnlyContain(c => c.Kind == RingCommandKind.Propose && ReferenceEquals(c.Replaces, formedFrom));
        publisher.Proposal!.Replaces.Should().BeSameAs(formedFrom);
        foreach (var m in Three) publisher.Accepted(m, 5, Three, Three, Ms(110));
        publisher.Published.Should().BeNull("all of the Up members stored it, but only 1 of the nodes 3, 4, 5");

        publisher.Tick(Ms(700), Members(1, 2, 3, 5), Members(1, 2, 3, 5), formed: true, [], out _);
        publisher.Accepted(Member(5), 5, Members(1, 2, 3, 5), Members(1, 2, 3, 5), Ms(710));
        publisher.Published.Should().BeSameAs(Ring, "now a quorum of each: 1, 2, 5 of 1, 2, 4, 5 and 3, 5 of 3, 4, 5");

        publisher.NewRing(Ring.AtEpoch(6), formedFrom);
        var next = publisher.Tick(Ms(800), Three, Three, formed: true, [], out _).Where(c => c.Kind == RingCommandKind.Propose).ToList();
        next.Should().NotBeEmpty();
        next[0].Replaces!.Should().ContainSingle().Which.Should().Equal(Ring.Nodes);
    }

    [Fact]
    public void A_proposal_waiting_for_nodes_an_operator_then_forgets_is_chosen_at_the_next_tick()
    {
        var forgotten = new HashSet<NodeId>();
        var alone = RingPlanner.Plan(RingState.Empty(16, 3), [Member(1)], 3).AtEpoch(5);
        var publisher = new RingPublisher(Member(1), Republish, forgotten);
        publisher.NewRing(alone, [Three]);
        publisher.Tick(Ms(100), [Member(1)], [Member(1)], formed: true, [], out _);
        publisher.Accepted(Member(1), 5, [Member(1)], [Member(1)], Ms(110)).Should().BeEmpty("1 of the nodes 1, 2, 3 is no quorum");

        forgotten.UnionWith([Member(2), Member(3)]); // the core's set, as RingManagerCore.Forget changes it

        publisher.Tick(Ms(200), [Member(1)], [Member(1)], formed: true, [], out _).Should().Contain(c => c.Kind == RingCommandKind.Publish);
        publisher.Published.Should().BeSameAs(alone);
    }
}
