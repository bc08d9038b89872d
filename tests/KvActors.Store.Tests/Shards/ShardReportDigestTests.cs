using KvActors.Store.Shards;

namespace KvActors.Store.Tests.Shards;

/// <summary>A node's partitions' reports about a dead peer become one log line per peer, not one per partition.</summary>
public sealed class ShardReportDigestTests
{
    private const string Dead = "127.0.0.1:4055", Other = "127.0.0.1:4054";

    [Fact]
    public void Reports_of_many_partitions_make_one_line_per_kind_and_node()
    {
        var digest = new ShardReportDigest();
        for (var p = 0; p < 85; p++)
            digest.Note(new ShardReportNoted(ShardReportKind.ReplicaSilent, p, Dead, p < 40 ? 1 : 3));
        digest.Note(new ShardReportNoted(ShardReportKind.ReplicaSilent, 3, Dead, 3)); // a repeated report counts once
        for (var p = 100; p < 184; p++)
            digest.Note(new ShardReportNoted(ShardReportKind.PrimarySuspected, p, Dead, 1));
        digest.Note(new ShardReportNoted(ShardReportKind.ReplicaSilent, 200, Other, 2));

        digest.Drain().Should().Equal(
            $"In-sync replica {Other} is silent in partition 200 at epoch 2; reported to the RingManager",
            $"In-sync replica {Dead} is silent in 85 partitions at epochs 1-3; reported to the RingManager",
            $"Suspecting primary {Dead} in 84 partitions at epoch 1 (nothing heard for the grace period); reported to the RingManager");
        digest.IsEmpty.Should().BeTrue();
        digest.Drain().Should().BeEmpty("drained reports are forgotten");
    }

    [Fact]
    public void A_suspicion_without_a_known_primary_says_so()
    {
        var digest = new ShardReportDigest();
        digest.Note(new ShardReportNoted(ShardReportKind.PrimarySuspected, 7, "", 4));

        digest.Drain().Should().Equal(
            "Suspecting primary (unknown) in partition 7 at epoch 4 (nothing heard for the grace period); reported to the RingManager");
    }
}
