using KvActors.Store.Partitioning;
using KvActors.Store.Shards;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Shards;

/// <summary>Which lost partitions a node keeps the storage of, and when it drops them (<see cref="KeptPartitions"/>).</summary>
public sealed class KeptPartitionsTests
{
    private static readonly NodeId Self = Member(3);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>RF 3, two partitions: both given by <paramref name="sets"/>.</summary>
    private static RingState Ring(long epoch, params ReplicaSet[] sets) => new(epoch, sets.Length, 3, sets);

    [Fact]
    public void A_partition_dropped_from_an_incomplete_set_is_kept_until_its_time_runs_out()
    {
        var kept = new KeptPartitions(Self, Minute);
        var withoutSelf = Ring(5, Set([1, 2]), Set([1, 2, 3]));

        kept.Lost(0, withoutSelf, now: 1_000).Should().BeTrue("two of three in-sync replicas: the ring is rebuilding it, maybe on this node");
        kept.Kept.Should().Equal(0);
        kept.Due(withoutSelf, 60_999).Should().BeEmpty();
        kept.Due(null, 61_000).Should().Equal(0);
        kept.Kept.Should().BeEmpty();
        kept.Due(null, 200_000).Should().BeEmpty("a dropped partition is dropped once");
    }

    [Fact]
    public void A_partition_given_back_is_no_longer_due_for_dropping()
    {
        var kept = new KeptPartitions(Self, Minute);
        kept.Lost(0, Ring(5, Set([1, 2]), Set([1, 2, 3])), 0).Should().BeTrue();

        kept.Regained(0).Should().BeTrue();
        kept.Regained(0).Should().BeFalse();
        kept.Due(Ring(6, Set([1, 2], [3]), Set([1, 2, 3])), 120_000).Should().BeEmpty();
    }

    [Fact]
    public void A_partition_whose_set_is_complete_without_this_node_is_dropped_at_once_or_at_the_next_ring()
    {
        var kept = new KeptPartitions(Self, Minute);
        kept.Lost(0, Ring(5, Set([1, 2, 4]), Set([1, 2, 3])), 0).Should().BeFalse("three in-sync replicas elsewhere, none learning");

        kept.Lost(1, Ring(6, Set([1, 2, 4]), Set([1, 2], [4])), 0).Should().BeTrue("a learner elsewhere may not finish");
        kept.Due(Ring(7, Set([1, 2, 4]), Set([1, 2], [4])), 10).Should().BeEmpty();
        kept.Due(Ring(8, Set([1, 2, 4]), Set([1, 2, 4])), 20).Should().Equal(1);
    }

    [Fact]
    public void Nothing_is_kept_when_the_keep_time_is_zero_or_the_ring_has_fewer_partitions()
    {
        new KeptPartitions(Self, TimeSpan.Zero).Lost(0, Ring(5, Set([1, 2]), Set([1, 2])), 0).Should().BeFalse();
        new KeptPartitions(Self, TimeSpan.Zero).Lost(0, null, 0).Should().BeFalse();

        var kept = new KeptPartitions(Self, Minute);
        kept.Lost(7, Ring(5, Set([1, 2]), Set([1, 2])), 0).Should().BeFalse("the ring has 2 partitions: partition 7 belongs to another layout");
        kept.Lost(1, null, 0).Should().BeTrue("before any ring nothing says it is settled elsewhere");
    }

    [Fact]
    public void Losing_a_kept_partition_again_keeps_its_first_deadline()
    {
        var kept = new KeptPartitions(Self, Minute);
        var ring = Ring(5, Set([1, 2]), Set([1, 2]));
        kept.Lost(0, ring, 0);
        kept.Lost(0, ring, 50_000);
        kept.Due(ring, 60_000).Should().Equal(0);
    }
}
