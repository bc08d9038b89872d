using KvActors.Store.Replication;
using KvActors.Store.Shards;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Shards;

/// <summary>The store statistics, read from real replicas driven by hand: keys and bytes, seqs, acknowledgements and lag.</summary>
public sealed class StatsTests
{
    [Fact]
    public void Bytes_follow_puts_overwrites_deletes_and_snapshots()
    {
        var state = new KeyValueState(Settings);
        state.Apply(new LogEntry(1, 1, Req(1), Put("ab", "xyz")));
        state.Bytes.Should().Be(5);
        state.Apply(new LogEntry(2, 1, Req(2), Put("ab", "longer-value")));
        state.Bytes.Should().Be(2 + 12, "an overwrite replaces the value's bytes");
        state.Apply(new LogEntry(3, 1, Req(3), Put("c", "")));
        state.Bytes.Should().Be(15);
        KeyValueState.FromSnapshot(state.Snapshot(1), Settings).Bytes.Should().Be(15);
        state.Apply(new LogEntry(4, 1, Req(4), Del("ab")));
        state.Apply(new LogEntry(5, 1, Req(5), Del("missing")));
        state.Bytes.Should().Be(1);
        state.Count.Should().Be(1);
    }

    /// <summary>Fault: one in-sync backup has not yet received a write. Invariant: the primary's lag counts it until it acknowledges.</summary>
    [Fact]
    public void A_primary_reports_its_lag_to_the_slowest_in_sync_backup_and_what_each_acknowledged()
    {
        var config = Config(1, "a", ["b", "c"]);
        var replicas = new[] { "a", "b", "c" }.ToDictionary(n => n, n => PartitionReplica.CreateNew(n, Settings));
        Settle(replicas.Values.SelectMany(r => r.OnConfig(config, 0)).ToList(), replicas, 0);
        var primary = replicas["a"];

        var prepares = primary.OnClientWrite(Req(1), Put("k", "vv"), 1);
        Deliver(Deliver(prepares, replicas, 1, "b"), replicas, 1); // b has it and acknowledged; c has not seen it

        var before = PartitionStats.Of(7, primary);
        before.Should().BeEquivalentTo(new
        {
            Partition = 7, Role = ReplicaRole.Primary, Epoch = 1L, LastSeq = 1L, CommitPoint = 0L, Keys = 0L, Bytes = 0L, ReplicationLag = 1L,
        });
        before.Acked.Should().Equal(new Dictionary<string, long> { ["b"] = 1, ["c"] = 0 });

        Settle(Deliver(prepares, replicas, 2, "c"), replicas, 2);
        var after = PartitionStats.Of(7, primary);
        after.Should().BeEquivalentTo(new { LastSeq = 1L, CommitPoint = 1L, Keys = 1L, Bytes = 3L, ReplicationLag = 0L });
        after.Acked.Should().Equal(new Dictionary<string, long> { ["b"] = 1, ["c"] = 1 });

        var backup = PartitionStats.Of(7, replicas["b"]);
        backup.Role.Should().Be(ReplicaRole.InSync);
        backup.ReplicationLag.Should().Be(0);
        backup.Acked.Should().BeEmpty("only a primary knows what the others acknowledged");
        backup.LastSeq.Should().Be(1);
    }

    [Fact]
    public void A_new_replica_with_no_configuration_reports_waiting_and_nothing_held()
    {
        var stats = PartitionStats.Of(3, PartitionReplica.CreateNew("a", Settings));

        stats.Should().BeEquivalentTo(new { Partition = 3, Role = ReplicaRole.Waiting, Epoch = 0L, LastSeq = 0L, CommitPoint = 0L, Keys = 0L, ReplicationLag = 0L });
    }

    [Fact]
    public void Node_stats_count_roles_sum_keys_and_bytes_take_the_largest_lag_and_count_primary_keys()
    {
        var none = new Dictionary<string, long>();
        PartitionStats P(int p, ReplicaRole role, long keys, long bytes, long lag) => new(p, role, 1, 0, 0, keys, bytes, lag, none);

        var stats = NodeStats.Aggregate(
            [P(0, ReplicaRole.Primary, 2, 20, 3), P(1, ReplicaRole.Primary, 1, 10, 7), P(2, ReplicaRole.InSync, 5, 50, 0),
             P(3, ReplicaRole.Learner, 0, 0, 0), P(4, ReplicaRole.Waiting, 1, 1, 0)], unanswered: 2);

        stats.Should().Be(new NodeStats(Primaries: 2, Replicas: 1, Learners: 1, Keys: 9, Bytes: 81, ReplicationLag: 7, Unanswered: 2, PrimaryKeys: 3));
        NodeStats.Aggregate([], 0).Should().Be(new NodeStats(0, 0, 0, 0, 0, 0, 0));
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(-5, 1000)]
    [InlineData(250, 250)]
    [InlineData(10_000_000, 30_000)]
    public void A_request_timeout_is_bounded(long requested, long expectedMs) =>
        StatsWire.Timeout(requested).Should().Be(TimeSpan.FromMilliseconds(expectedMs));
}
