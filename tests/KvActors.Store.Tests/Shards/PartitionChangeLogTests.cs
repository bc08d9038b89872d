using KvActors.Store.Shards;

namespace KvActors.Store.Tests.Shards;

/// <summary>The host's log of partitions moved off or onto its node: one line per kind of change (<see cref="PartitionChangeLog"/>).</summary>
public sealed class PartitionChangeLogTests
{
    [Fact]
    public void A_ring_change_that_moves_many_partitions_makes_one_line_per_kind_of_change()
    {
        var changes = new PartitionChangeLog();
        for (var p = 255; p >= 0; p--)
            changes.Add(p % 64 == 0 ? "dropped" : "kept", p);

        changes.Take().Should().BeEquivalentTo(
            "Partitions kept: 1-63, 65-127, 129-191, 193-255 (252)",
            "Partitions dropped: 0, 64, 128, 192 (4)");
        changes.Take().Should().BeEmpty("what was taken is not logged again");
    }
}
