using KvActors.Store.Partitioning;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Partitioning;

public sealed class RingTransitionsTests
{
    private static readonly RingState Ring = new(7, 2, 3, [Set([1, 2, 3], [4]), Set([2, 3])]);

    [Fact]
    public void A_caught_up_learner_becomes_in_sync_at_the_next_epoch()
    {
        var change = RingTransitions.PromoteLearner(Ring, 0, Member(4));
        change.IsRefused.Should().BeFalse();
        change.Ring.Epoch.Should().Be(8);
        change.Ring[0].Should().Be(Set([1, 2, 3, 4]));
        change.Ring[1].Should().Be(Ring[1]);
    }

    [Fact]
    public void Promoting_a_node_that_is_not_a_learner_is_refused()
    {
        var change = RingTransitions.PromoteLearner(Ring, 0, Member(2));
        change.IsRefused.Should().BeTrue();
        change.Refusal.Should().Contain("is not a learner of partition 0");
        change.Ring.Should().BeSameAs(Ring);
    }

    [Fact]
    public void A_learner_promoted_where_no_replica_is_in_sync_becomes_primary()
    {
        var ring = new RingState(2, 1, 3, [Set([], [5, 6])]);
        var change = RingTransitions.PromoteLearner(ring, 0, Member(6));
        change.Ring[0].Primary.Should().Be(Member(6));
        change.Ring[0].Learners.Should().Equal(Members(5));
    }

    [Fact]
    public void A_silent_replica_is_dropped_from_the_in_sync_set_and_kept_as_a_learner()
    {
        var change = RingTransitions.DropReplica(Ring, 0, Member(3));
        change.IsRefused.Should().BeFalse();
        change.Ring.Epoch.Should().Be(8);
        change.Ring[0].Should().Be(Set([1, 2], [3, 4]));
    }

    [Fact]
    public void Dropping_the_primary_or_a_replica_not_in_sync_is_refused()
    {
        RingTransitions.DropReplica(Ring, 0, Member(1)).Refusal.Should().Contain("is the primary");
        RingTransitions.DropReplica(Ring, 0, Member(4)).Refusal.Should().Contain("is not an in-sync replica");
        RingTransitions.DropReplica(Ring, 1, Member(9)).Ring.Should().BeSameAs(Ring);
    }

    [Fact]
    public void Failover_promotes_an_in_sync_replica_and_demotes_the_old_primary_to_learner()
    {
        var change = RingTransitions.Failover(Ring, 0, Member(3));
        change.IsRefused.Should().BeFalse();
        change.Ring.Epoch.Should().Be(8);
        change.Ring[0].Primary.Should().Be(Member(3));
        change.Ring[0].Should().Be(Set([3, 2], [1, 4]));
    }

    [Fact]
    public void Failover_to_a_node_that_is_not_in_sync_is_refused()
    {
        var change = RingTransitions.Failover(Ring, 0, Member(4));
        change.Refusal.Should().Contain("is not an in-sync replica").And.Contain("10.0.0.1:4053");
        change.Ring.Should().BeSameAs(Ring);
        RingTransitions.Failover(Ring, 1, Member(1)).IsRefused.Should().BeTrue();
    }

    [Fact]
    public void Failover_to_the_current_primary_changes_nothing()
    {
        var change = RingTransitions.Failover(Ring, 0, Member(1));
        change.IsRefused.Should().BeFalse();
        change.Ring.Should().BeSameAs(Ring);
    }

    [Fact]
    public void Under_replicated_lists_partitions_with_fewer_in_sync_replicas_than_RF()
    {
        RingTransitions.UnderReplicated(Ring).Should().Equal(1);
        var ring = new RingState(1, 4, 2, [Set([1, 2]), Set([1], [2]), Set([], [3]), Set([3, 1])]);
        RingTransitions.UnderReplicated(ring).Should().Equal(1, 2);
        RingTransitions.WithoutPrimary(ring).Should().Equal(2);
    }

    [Fact]
    public void Operations_refuse_a_partition_out_of_range()
    {
        ((Action)(() => RingTransitions.PromoteLearner(Ring, 2, Member(1)))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
