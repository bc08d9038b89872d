using KvActors.Store.Partitioning;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Partitioning;

public sealed class RingModelTests
{
    [Fact]
    public void A_replica_set_keeps_its_primary_first_and_orders_the_rest()
    {
        var set = new ReplicaSet(Members(3, 2, 1), Members(5, 4));
        set.Primary.Should().Be(Member(3));
        set.InSync.Should().Equal(Members(3, 1, 2));
        set.Learners.Should().Equal(Members(4, 5));
        set.Replicas.Should().Equal(Members(3, 1, 2, 4, 5));
    }

    [Fact]
    public void Replica_sets_with_the_same_roles_are_equal()
    {
        Set([1, 2, 3], [4, 5]).Should().Be(Set([1, 3, 2], [5, 4]));
        Set([1, 2, 3]).GetHashCode().Should().Be(Set([1, 3, 2]).GetHashCode());
        Set([1, 2, 3]).Should().NotBe(Set([2, 1, 3]), "the primary differs");
        Set([1, 2], [3]).Should().NotBe(Set([1, 2, 3]), "a learner is not in sync");
    }

    [Fact]
    public void A_replica_set_has_no_primary_without_an_in_sync_replica()
    {
        Set([], [1]).Primary.Should().BeNull();
        ReplicaSet.Empty.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void A_replica_set_refuses_a_node_twice()
    {
        var create = () => Set([1, 2], [2]);
        create.Should().Throw<ArgumentException>().WithMessage("*names a node twice*");
    }

    [Fact]
    public void Rings_are_equal_by_value_and_epoch()
    {
        RingState Ring(long epoch, int primary) => new(epoch, 2, 2, [Set([primary, 9]), Set([1, 2], [3])]);

        Ring(4, 1).Should().Be(Ring(4, 1));
        Ring(4, 1).GetHashCode().Should().Be(Ring(4, 1).GetHashCode());
        Ring(4, 1).Should().NotBe(Ring(5, 1));
        Ring(4, 1).SamePlacementAs(Ring(5, 1)).Should().BeTrue();
        Ring(4, 1).SamePlacementAs(Ring(4, 2)).Should().BeFalse();
    }

    [Fact]
    public void A_ring_refuses_a_wrong_number_of_partitions_or_a_bad_partition_count()
    {
        ((Action)(() => new RingState(0, 4, 3, [ReplicaSet.Empty]))).Should().Throw<ArgumentException>();
        ((Action)(() => RingState.Empty(partitionCount: 12))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => RingState.Empty(replicationFactor: 0))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Loads_count_each_role_per_node()
    {
        var ring = new RingState(3, 2, 3, [Set([1, 2], [3]), Set([2, 1])]);
        var loads = ring.Loads();
        loads[Member(1)].Should().Be(new NodeLoad(Primaries: 1, Followers: 1, Learners: 0));
        loads[Member(2)].Should().Be(new NodeLoad(Primaries: 1, Followers: 1, Learners: 0));
        loads[Member(3)].Should().Be(new NodeLoad(Primaries: 0, Followers: 0, Learners: 1));
        loads[Member(3)].Replicas.Should().Be(1);
        ring.Nodes.Should().Equal(Members(1, 2, 3));
    }

    [Fact]
    public void The_empty_ring_is_unformed_at_epoch_zero()
    {
        var ring = RingState.Empty(16, 3);
        ring.Epoch.Should().Be(0);
        ring.IsUnformed.Should().BeTrue();
        ring.Partitions.Should().HaveCount(16);
    }
}
