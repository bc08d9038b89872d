using KvActors.Store.Partitioning;

namespace KvActors.Store.Tests.Partitioning;

public sealed class PartitionerTests
{
    [Fact]
    public void Defaults_to_256_partitions_of_64_slots()
    {
        var partitioner = new Partitioner();
        partitioner.PartitionCount.Should().Be(256);
        partitioner.SlotsPerPartition.Should().Be(64);
    }

    [Theory]
    [InlineData(1, 12182, 0)]
    [InlineData(2, 12182, 1)]
    [InlineData(256, 12182, 190)] // 12182 / 64
    [InlineData(256, 0, 0)]
    [InlineData(256, 16383, 255)]
    [InlineData(16384, 12182, 12182)]
    public void Maps_a_slot_to_slot_divided_by_slots_per_partition(int partitions, int slot, int partition) =>
        new Partitioner(partitions).PartitionOfSlot(slot).Should().Be(partition);

    [Fact]
    public void Maps_a_key_through_its_slot()
    {
        var partitioner = new Partitioner(256);
        partitioner.PartitionOf("foo").Should().Be(12182 / 64);
        partitioner.PartitionOf("foo"u8).Should().Be(12182 / 64);
        partitioner.PartitionOf("foo"u8.ToArray()).Should().Be(12182 / 64);
        partitioner.PartitionOf("{user1000}.following").Should().Be(partitioner.PartitionOf("{user1000}.followers"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(16384)]
    public void Slot_ranges_tile_all_16384_slots_in_order(int partitions)
    {
        var partitioner = new Partitioner(partitions);
        var next = 0;
        for (var p = 0; p < partitions; p++)
        {
            var range = partitioner.SlotsOf(p);
            range.First.Should().Be(next);
            range.Count.Should().Be(HashSlot.Count / partitions);
            partitioner.PartitionOfSlot(range.First).Should().Be(p);
            partitioner.PartitionOfSlot(range.Last).Should().Be(p);
            next = range.Last + 1;
        }
        next.Should().Be(HashSlot.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(32768)]
    public void Refuses_a_partition_count_that_is_not_a_power_of_two_up_to_16384(int partitions)
    {
        var create = () => new Partitioner(partitions);
        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The partition count must be a power of two between 1 and 16384*");
        PartitionCountRule.Problem(partitions).Should().NotBeNull();
    }

    [Fact]
    public void Refuses_slots_and_partitions_out_of_range()
    {
        var partitioner = new Partitioner(16);
        ((Action)(() => partitioner.PartitionOfSlot(16384))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => partitioner.PartitionOfSlot(-1))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => partitioner.SlotsOf(16))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_node_configured_with_another_partition_count_than_the_ring_is_refused()
    {
        PartitionCountRule.Mismatch(256, 256).Should().BeNull();
        var refusal = PartitionCountRule.Mismatch(64, 256);
        refusal.Should().Contain("configured with 64 partitions").And.Contain("ring has 256").And.Contain("with 256 partitions");
        refusal!.Count(c => c == '.').Should().Be(1, "it is one sentence");
    }
}
