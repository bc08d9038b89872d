using System.Text.Json;
using KvActors.Cli.Output;
using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Admin;

namespace KvActors.Cli.Tests;

/// <summary>kv's pure output code: numbers for people, what a ring report computes, and the --json layouts.</summary>
public sealed class OutputTests
{
    private static readonly NodeId A = new("127.0.0.1:4053"), B = new("127.0.0.1:4054"), C = new("127.0.0.1:4055");

    /// <summary>Four partitions, RF 3: 0 fully in sync, 1 with a learner, 2 with two in sync, 3 with no replica.</summary>
    private static readonly RingState Ring = new(9, 4, 3,
    [
        new ReplicaSet([A, B, C], []),
        new ReplicaSet([B, A], [C]),
        new ReplicaSet([C, A], []),
        ReplicaSet.Empty,
    ]);

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5L << 30, "5.0 GiB")]
    public void Bytes_are_printed_in_binary_units(long bytes, string text) => Units.Bytes(bytes).Should().Be(text);

    [Fact]
    public void A_ring_reports_per_node_roles_and_the_partitions_short_of_the_replication_factor()
    {
        RingFacts.UnderReplicated(Ring).Should().Equal(1, 2, 3);
        RingFacts.Loads(Ring).Should().Equal(
            ("127.0.0.1:4053", new NodeLoad(1, 2, 0)),
            ("127.0.0.1:4054", new NodeLoad(1, 1, 0)),
            ("127.0.0.1:4055", new NodeLoad(1, 1, 1)));
    }

    [Fact]
    public void The_ring_json_is_one_line_with_every_node_and_the_under_replicated_partitions()
    {
        RingJson.Show("127.0.0.1:4053", Ring).Should().Be(
            """{"seenBy": "127.0.0.1:4053", "epoch": 9, "partitions": 4, "replicationFactor": 3, "nodes": [{"node": "127.0.0.1:4053", "primaries": 1, "replicas": 2, "learners": 0}, {"node": "127.0.0.1:4054", "primaries": 1, "replicas": 1, "learners": 0}, {"node": "127.0.0.1:4055", "primaries": 1, "replicas": 1, "learners": 1}], "underReplicated": [1, 2, 3]}""");
        RingJson.Show("127.0.0.1:4053", Ring, "Ring epoch 10 has waited 3 s").Should().EndWith(
            """, "underReplicated": [1, 2, 3], "managerWaiting": "Ring epoch 10 has waited 3 s"}""", "said only when the manager waits for something");
    }

    [Fact]
    public void A_partition_report_lists_primary_in_sync_then_learners_with_what_each_reported_and_what_the_primary_saw_acknowledged()
    {
        var primary = new PartitionStatsReply { Node = B.Value, Partition = 1, Held = true, Role = "primary", Epoch = 9, LastPreparedSeq = 5, CommittedSeq = 4, Keys = 2, Bytes = 20 };
        primary.Acks.Add(new ReplicaAck { Node = A.Value, AckedSeq = 4 });
        primary.Acks.Add(new ReplicaAck { Node = C.Value, AckedSeq = -1 });
        var reported = new Dictionary<string, PartitionStatsReply>
        {
            [B.Value] = primary,
            [C.Value] = new() { Node = C.Value, Partition = 1, Held = true, Unanswered = true },
        };

        var report = PartitionReport.Of("127.0.0.1:4053", Ring, 1, null, reported);

        report.Slots.Should().Be(new SlotRange(4096, 8191));
        report.UnderReplicated.Should().BeTrue();
        report.Replicas.Select(r => (r.Node, r.RingRole, r.AckedByPrimary)).Should().Equal(
            (B.Value, "primary", (long?)null), (A.Value, "in-sync", 4L), (C.Value, "learner", -1L));
        report.Replicas[1].Reported.Should().BeNull("A did not answer");

        using var json = JsonDocument.Parse(RingJson.Partition(report));
        var replicas = json.RootElement.GetProperty("replicas").EnumerateArray().ToList();
        replicas.Select(r => r.GetProperty("status").GetString()).Should().Equal("ok", "no answer", "busy");
        replicas[0].GetProperty("preparedSeq").GetInt64().Should().Be(5);
        replicas[0].GetProperty("committedSeq").GetInt64().Should().Be(4);
        replicas[1].GetProperty("keys").ValueKind.Should().Be(JsonValueKind.Null);
        replicas[1].GetProperty("ackedSeq").GetInt64().Should().Be(4);
        json.RootElement.GetProperty("inSync").EnumerateArray().Select(e => e.GetString()).Should().Equal(A.Value);
        json.RootElement.TryGetProperty("key", out _).Should().BeFalse("only a --key report names a key");
    }

    [Fact]
    public void A_report_by_key_names_the_key_and_its_slot()
    {
        var partition = new Partitioner(4).PartitionOf("user:alice");

        var report = PartitionReport.Of("127.0.0.1:4053", Ring, partition, "user:alice", new Dictionary<string, PartitionStatsReply>());

        report.Slot.Should().Be(HashSlot.Of("user:alice"));
        report.Slots.Contains(report.Slot!.Value).Should().BeTrue();
        using var json = JsonDocument.Parse(RingJson.Partition(report));
        json.RootElement.GetProperty("key").GetString().Should().Be("user:alice");
    }

    [Fact]
    public void Cluster_json_gives_each_member_its_store_figures_or_null()
    {
        var show = new ClusterShowResponse { Self = A.Value, Leader = A.Value, SingletonHost = A.Value };
        show.Members.Add(new MemberInfo { Address = A.Value, Status = "Up", Reachable = true, UpNumber = 1 });
        show.Members.Add(new MemberInfo { Address = B.Value, Status = "Up", Reachable = false, UpNumber = 2 });
        var stats = new Dictionary<string, StoreStatsReply>
        {
            [A.Value] = new() { Node = A.Value, RingEpoch = 9, Primaries = 3, Replicas = 5, Learners = 1, Keys = 12, Bytes = 345, ReplicationLag = 2, Unanswered = 1 },
        };

        using var json = JsonDocument.Parse(ClusterJson.Show(show, stats));

        var members = json.RootElement.GetProperty("members").EnumerateArray().ToList();
        members[0].GetProperty("store").GetRawText().Should().Be(
            """{"ringEpoch": 9, "primaries": 3, "replicas": 5, "learners": 1, "keys": 12, "bytes": 345, "replicationLag": 2, "unanswered": 1}""");
        members[1].GetProperty("store").ValueKind.Should().Be(JsonValueKind.Null);
        ClusterTable.Partitions(stats[A.Value]).Should().Be("3/5/1 (1 busy)");
    }
}
