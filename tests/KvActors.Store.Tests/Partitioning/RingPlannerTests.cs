using KvActors.Store.Partitioning;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Partitioning;

public sealed class RingPlannerTests
{
    [Fact]
    public void The_first_ring_places_every_replica_in_sync_since_there_is_no_data_to_catch_up()
    {
        var ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(4), 3);

        ring.Epoch.Should().Be(1);
        ring.Partitions.Should().OnlyContain(set => set.InSync.Length == 3 && set.Learners.IsEmpty);
        Spread(ReplicaCounts(ring, MembersUpTo(4))).Should().BeLessThanOrEqualTo(1);
        Spread(PrimaryCounts(ring, MembersUpTo(4))).Should().BeLessThanOrEqualTo(1);
        RingTransitions.UnderReplicated(ring).Should().BeEmpty();
    }

    [Fact]
    public void With_fewer_nodes_than_RF_every_partition_is_on_every_node_and_under_replicated()
    {
        var ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(2), 3);

        ring.Partitions.Should().OnlyContain(set => set.InSync.Length == 2);
        RingTransitions.UnderReplicated(ring).Should().HaveCount(16);
        RingTransitions.WithoutPrimary(ring).Should().BeEmpty("under-replicated partitions still serve");
    }

    [Fact]
    public void Planning_again_with_the_same_members_returns_the_same_ring()
    {
        var ring = RingPlanner.Plan(RingState.Empty(64, 3), MembersUpTo(5), 3);
        RingPlanner.Plan(ring, MembersUpTo(5).Reverse().ToArray(), 3).Should().BeSameAs(ring);
    }

    [Fact]
    public void With_no_member_to_place_replicas_on_the_ring_stays_as_it_is()
    {
        var empty = RingState.Empty(16, 3);
        RingPlanner.Plan(empty, [], 3).Should().BeSameAs(empty);
        var ring = RingPlanner.Plan(empty, MembersUpTo(3), 3);
        RingPlanner.Plan(ring, [], 3).Should().BeSameAs(ring, "the ring must still say where the data is when the nodes come back");
        RingPlanner.Plan(ring, MembersUpTo(3), 3, leaving: MembersUpTo(3)).Should().BeSameAs(ring);
    }

    [Fact]
    public void A_gracefully_leaving_node_hands_off_every_partition_before_it_is_dropped()
    {
        var ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(4), 3);
        var leaver = Member(4);

        var handingOff = RingPlanner.Plan(ring, MembersUpTo(4), 3, leaving: [leaver]);

        for (var p = 0; p < 16; p++)
        {
            if (!ring[p].Contains(leaver))
                continue;
            handingOff[p].InSync.Should().BeEquivalentTo(ring[p].InSync, "the leaver stays in sync until its replacement is");
            handingOff[p].Learners.Should().ContainSingle().Which.Should().NotBe(leaver);
        }
        var (handedOff, _) = Settle(handingOff, MembersUpTo(4), 3, [leaver]);
        handedOff.Partitions.Should().OnlyContain(set => !set.Contains(leaver) && set.InSync.Length == 3);
        RingPlanner.Plan(handedOff, MembersUpTo(3), 3).Should().BeSameAs(handedOff, "the node can now exit without a new ring");
    }

    [Fact]
    public void A_joining_node_learns_while_the_replicas_it_replaces_stay_in_sync()
    {
        var ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3);
        var joiner = Member(4);

        var next = RingPlanner.Plan(ring, MembersUpTo(4), 3);

        next.Epoch.Should().Be(ring.Epoch + 1);
        var moved = NewReplicas(ring, next).ToList();
        moved.Should().OnlyContain(r => r.Node == joiner).And.HaveCount(12, "the new node takes its quarter of 16 x 3 replicas");
        foreach (var (partition, _) in moved)
        {
            next[partition].Learners.Should().Equal(joiner);
            next[partition].InSync.Should().BeEquivalentTo(ring[partition].InSync, "durability holds while the learner catches up");
        }

        // Once the learner is in sync, the next plan drops the replica it replaces.
        var partitionMoved = moved[0].Partition;
        var promoted = RingTransitions.PromoteLearner(next, partitionMoved, joiner).Ring;
        var after = RingPlanner.Plan(promoted, MembersUpTo(4), 3);
        after[partitionMoved].InSync.Should().HaveCount(3).And.Contain(joiner);
        after[partitionMoved].Learners.Should().BeEmpty();
        after.Epoch.Should().Be(promoted.Epoch + 1);
    }

    [Fact]
    public void A_leaving_node_is_removed_everywhere_and_its_primaries_pass_to_in_sync_replicas()
    {
        var ring = RingPlanner.Plan(RingState.Empty(64, 3), MembersUpTo(4), 3);
        var leaver = Member(2);
        var remaining = Members(1, 3, 4);

        var next = RingPlanner.Plan(ring, remaining, 3);

        next.Partitions.Should().OnlyContain(set => !set.Contains(leaver));
        next.Partitions.Should().OnlyContain(set => set.Primary != null && set.InSync.Length >= 2);
        for (var p = 0; p < 64; p++)
        {
            if (ring[p].Primary == leaver)
                ring[p].InSync.Should().Contain(next[p].Primary!.Value, "the new primary was in sync");
            else
                next[p].Primary.Should().Be(ring[p].Primary, "a primary whose node stayed keeps its role");
        }
        NewReplicas(ring, next).Should().OnlyContain(r => ring[r.Partition].Contains(leaver), "only the leaver's replicas are re-placed");
    }

    [Fact]
    public void A_partition_that_lost_every_in_sync_replica_keeps_them_and_serves_again_when_one_comes_back()
    {
        var ring = new RingState(5, 1, 2, [Set([1, 2], [3])]);
        var next = RingPlanner.Plan(ring, Members(3, 4), 2);

        next[0].InSync.Should().Equal(Members(1, 2), "only the gone in-sync replicas hold every acknowledged write; a learner must not serve");
        next[0].Primary.Should().Be(Members(1)[0]);
        next[0].Learners.Should().Equal(Members(3, 4), "the members learn, from whichever in-sync replica comes back");

        var back = RingPlanner.Plan(next, Members(2, 3, 4), 2);
        back[0].Primary.Should().Be(Members(2)[0], "an in-sync replica back leads the partition again");
        back[0].InSync.Should().Equal(Members(2));
        RingPlanner.Plan(back, Members(2, 3, 4), 2).Should().BeSameAs(back, "planning again changes nothing");
    }

    [Fact]
    public void Lowering_the_replication_factor_drops_followers_and_keeps_primaries()
    {
        var ring = RingPlanner.Plan(RingState.Empty(64, 3), MembersUpTo(4), 3);
        var next = RingPlanner.Plan(ring, MembersUpTo(4), 2);

        next.ReplicationFactor.Should().Be(2);
        next.Partitions.Should().OnlyContain(set => set.InSync.Length == 2 && set.Learners.IsEmpty);
        for (var p = 0; p < 64; p++)
            next[p].Primary.Should().Be(ring[p].Primary);
        NewReplicas(ring, next).Should().BeEmpty();
        Spread(ReplicaCounts(next, MembersUpTo(4))).Should().BeLessThanOrEqualTo(1);
    }

    [Fact]
    public void Raising_the_replication_factor_adds_learners()
    {
        var ring = RingPlanner.Plan(RingState.Empty(16, 2), MembersUpTo(4), 2);
        var next = RingPlanner.Plan(ring, MembersUpTo(4), 3);

        next.Partitions.Should().OnlyContain(set => set.InSync.Length == 2 && set.Learners.Length == 1);
        RingTransitions.UnderReplicated(next).Should().HaveCount(16);
    }

    [Fact]
    public void A_failed_over_primary_rejoins_its_partition_as_a_learner()
    {
        var ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3);
        var oldPrimary = ring[0].Primary!.Value;
        var failedOver = RingTransitions.Failover(ring, 0, ring[0].InSync[1]).Ring;

        var planned = RingPlanner.Plan(failedOver, MembersUpTo(3), 3);
        NewReplicas(failedOver, planned).Should().BeEmpty();
        planned[0].Learners.Should().Equal([oldPrimary], "the old primary stays placed while it reconciles");
        var promoted = RingTransitions.PromoteLearner(planned, 0, oldPrimary).Ring;
        promoted[0].InSync.Should().HaveCount(3);
        Spread(PrimaryCounts(RingPlanner.Plan(promoted, MembersUpTo(3), 3), MembersUpTo(3))).Should().BeLessThanOrEqualTo(1);
    }

    [Fact]
    public void A_replication_factor_below_one_is_refused()
    {
        var plan = () => RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 0);
        plan.Should().Throw<ArgumentOutOfRangeException>();
    }
}
