using KvActors.Storage.Recovery;

namespace KvActors.Storage.Tests;

public class CompactionPlannerTests
{
    private static IReadOnlyDictionary<int, PartitionSpan> Seg(params (int P, long Max, long Pos)[] spans) =>
        spans.ToDictionary(s => s.P, s => new PartitionSpan(1, s.Max, s.Pos));

    [Fact]
    public void Deletes_only_the_covered_prefix()
    {
        var segments = new[] { Seg((1, 10, 100), (2, 5, 110)), Seg((1, 20, 200)), Seg((2, 6, 300)) };
        var coverage = new Dictionary<int, PartitionCoverage> { [1] = new(20, -1), [2] = new(5, -1) };
        CompactionPlanner.DeletablePrefix(segments, p => coverage[p]).Should().Be(2);
    }

    [Fact]
    public void An_uncovered_segment_pins_everything_after_it()
    {
        var segments = new[] { Seg((1, 10, 100)), Seg((1, 5, 200)) };
        CompactionPlanner.DeletablePrefix(segments, _ => new PartitionCoverage(4, -1)).Should().Be(0);
    }

    [Fact]
    public void Records_before_a_drop_do_not_pin_segments()
    {
        var segments = new[] { Seg((7, 1000, 100)) };
        CompactionPlanner.DeletablePrefix(segments, _ => new PartitionCoverage(-1, 150)).Should().Be(1);
        CompactionPlanner.DeletablePrefix(segments, _ => new PartitionCoverage(-1, 50)).Should().Be(0);
    }

    [Fact]
    public void A_mark_or_truncation_logged_after_the_snapshot_pins_its_segment_whatever_its_seq()
    {
        // Records up to seq 10 and a Mark with commit point 10 at position 150; the snapshot at seq 10 was taken at 120.
        var segment = new Dictionary<int, PartitionSpan> { [1] = new(1, 10, 150, LastControlPosition: 150) };
        CompactionPlanner.DeletablePrefix([segment], _ => new PartitionCoverage(10, -1, SnapshotPosition: 120)).Should().Be(0);
        CompactionPlanner.DeletablePrefix([segment], _ => new PartitionCoverage(10, -1, SnapshotPosition: 160)).Should().Be(1);
        CompactionPlanner.DeletablePrefix([segment], _ => new PartitionCoverage(-1, 200)).Should().Be(1, "a later Drop voids it");
    }

    [Fact]
    public void A_segment_holding_only_marks_of_a_partition_waits_for_a_snapshot_taken_after_them()
    {
        var segment = new Dictionary<int, PartitionSpan> { [2] = new(PartitionSpan.NoData, PartitionSpan.NoData, 80, 80) };
        CompactionPlanner.DeletablePrefix([segment], _ => new PartitionCoverage(-1, -1)).Should().Be(0);
        CompactionPlanner.DeletablePrefix([segment], _ => new PartitionCoverage(0, -1, SnapshotPosition: 100)).Should().Be(1);
    }
}
