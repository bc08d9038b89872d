using System.Text.Json;
using KvActors.TestKit;
using KvActors.TestKit.Processes;
using Xunit.Sdk;

namespace KvActors.Cli.Tests;

/// <summary>`kv ring show` and the store columns of `kv cluster show` against three kvnodes.</summary>
[Collection(ThreeNodeCollection.Name)]
public sealed class RingCommandTests(ThreeNodeFixture fixture)
{
    private static TimeSpan Settle => TestKitSettings.Dilated(TimeSpan.FromSeconds(20));

    private RunResult Kv(params string[] args) => Executables.Kv([.. args, "--seeds", fixture.Seed]);

    private IEnumerable<string> Addresses => fixture.Nodes.Select(n => n.Address);

    private static JsonDocument Json(RunResult run)
    {
        if (run.ExitCode != 0) throw new XunitException($"kv failed: {run}");
        return JsonDocument.Parse(run.Stdout);
    }

    [Fact]
    public void Ring_show_prints_the_epoch_each_nodes_counts_and_the_under_replicated_partitions()
    {
        var run = Kv("ring", "show");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StdoutLines[0].Should().MatchRegex(@"^Ring epoch \d+ seen by 127\.0\.0\.1:\d+: 32 partitions, replication factor 3, 3 nodes\.$");
        run.Stdout.Should().ContainAll("Node", "Primaries", "Replicas", "Learners").And.NotContain("\u001b");
        foreach (var node in Addresses) run.StdoutLines.Should().Contain(l => l.Contains(node), run.ToString());
        // Last, unless the RingManager waits for something (then its line follows).
        run.StdoutLines.Last(l => !l.StartsWith("RingManager: ")).Should().StartWith("Under-replicated (fewer than 3 in sync): ");
    }

    [Fact]
    public void Ring_forget_refuses_a_member_in_one_sentence_and_forgets_a_node_that_is_none()
    {
        var member = fixture.Nodes[1].Address;
        var refused = Kv("ring", "forget", member);

        refused.ExitCode.Should().Be(2, refused.ToString());
        refused.OneSentenceError().Should().Be(
            $"{member} is a member of the cluster: only a node that was removed can be forgotten (down it first); nothing was forgotten.");

        // Harmless here: 127.0.0.1:1 is in no ring, so no quorum changes.
        var forgotten = Kv("ring", "forget", "127.0.0.1:1");
        forgotten.ExitCode.Should().Be(0, forgotten.ToString());
        forgotten.Stdout.Should().StartWith("Forgot 127.0.0.1:1: ");
    }

    [Fact]
    public void Ring_show_json_gives_every_partition_one_primary()
    {
        using var json = Json(Kv("ring", "show", "--json"));
        var root = json.RootElement;

        root.GetProperty("epoch").GetInt64().Should().BePositive();
        root.GetProperty("partitions").GetInt32().Should().Be(32, "test nodes run 32 partitions (NodeOptions.Partitions)");
        root.GetProperty("replicationFactor").GetInt32().Should().Be(3);
        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        nodes.Select(n => n.GetProperty("node").GetString()).Should().BeEquivalentTo(Addresses);
        nodes.Sum(n => n.GetProperty("primaries").GetInt32()).Should().Be(32, "a formed ring of three nodes names a primary for each partition");
        root.GetProperty("underReplicated").EnumerateArray().Select(p => p.GetInt32()).Where(p => p is < 0 or >= 32).Should().BeEmpty();
    }

    /// <summary>Fault: none. Invariant: once a put is acknowledged, every replica reports it committed, and the primary reports each acknowledged.</summary>
    [Fact]
    public void Ring_show_key_reports_each_replica_holding_the_acknowledged_write()
    {
        var key = $"ring:{Guid.NewGuid():N}";
        using var put = Json(Kv("put", key, "some value", "--json"));
        var seq = put.RootElement.GetProperty("seq").GetInt64();
        var partition = put.RootElement.GetProperty("partition").GetInt32();

        // A backup learns the commit point with the primary's next message: wait for it, with a deadline.
        Awaiting.AwaitAssert(() =>
        {
            using var json = Json(Kv("ring", "show", "--key", key, "--json"));
            var root = json.RootElement;
            root.GetProperty("partition").GetInt32().Should().Be(partition);
            root.GetProperty("key").GetString().Should().Be(key);
            root.GetProperty("slot").GetInt32().Should().BeInRange(root.GetProperty("firstSlot").GetInt32(), root.GetProperty("lastSlot").GetInt32());
            var replicas = root.GetProperty("replicas").EnumerateArray().ToList();
            replicas.Should().HaveCount(3, json.RootElement.GetRawText());
            replicas.Select(r => r.GetProperty("node").GetString()).Should().BeEquivalentTo(Addresses);
            foreach (var r in replicas)
            {
                r.GetProperty("status").GetString().Should().Be("ok", r.GetRawText());
                r.GetProperty("committedSeq").GetInt64().Should().BeGreaterThanOrEqualTo(seq, r.GetRawText());
                r.GetProperty("keys").GetInt64().Should().BePositive();
                r.GetProperty("bytes").GetInt64().Should().BeGreaterThanOrEqualTo(key.Length + "some value".Length);
                if (r.GetProperty("ringRole").GetString() == "primary") r.GetProperty("ackedSeq").ValueKind.Should().Be(JsonValueKind.Null);
                else r.GetProperty("ackedSeq").GetInt64().Should().BeGreaterThanOrEqualTo(seq, r.GetRawText());
            }
        }, Settle, TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void Ring_show_partition_prints_its_slots_and_a_row_per_replica()
    {
        var run = Kv("ring", "show", "--partition", "17");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StdoutLines[0].Should().MatchRegex(@"^Partition 17 \(slots 8704-9215\) in ring epoch \d+ seen by 127\.0\.0\.1:\d+: primary 127\.0\.0\.1:\d+, in sync ");
        run.Stdout.Should().ContainAll("Ring role", "Reported role", "Prepared seq", "Committed seq", "Acked seq");
        foreach (var node in Addresses) run.StdoutLines.Should().Contain(l => l.Contains(node) && l.Contains('│'), run.ToString());
    }

    [Theory]
    [InlineData("32", "Partition 32 does not exist: the ring has 32 partitions, numbered 0 to 31.")]
    [InlineData("-1", "--partition '-1' is not a partition number (0, 1, 2...).")]
    [InlineData("seven", "--partition 'seven' is not a partition number (0, 1, 2...).")]
    public void A_partition_number_the_ring_does_not_have_is_one_sentence_and_exit_code_2(string partition, string error)
    {
        var run = Kv("ring", "show", "--partition", partition);

        run.ExitCode.Should().Be(2, run.ToString());
        run.Stdout.Should().BeEmpty();
        run.OneSentenceError().Should().Be(error);
    }

    /// <summary>Fault: none. Invariant: after a put, the store figures of `kv cluster show --json` count it on every replica.</summary>
    [Fact]
    public void Cluster_show_json_carries_each_members_partitions_keys_bytes_and_lag()
    {
        var key = $"stats:{Guid.NewGuid():N}";
        Kv("put", key, "v").ExitCode.Should().Be(0);

        Awaiting.AwaitAssert(() =>
        {
            var run = Kv("cluster", "show", "--json");
            using var json = Json(run);
            var members = json.RootElement.GetProperty("members").EnumerateArray().ToList();
            members.Should().HaveCount(3, run.ToString());
            foreach (var m in members)
            {
                var store = m.GetProperty("store");
                store.ValueKind.Should().Be(JsonValueKind.Object, run.ToString());
                store.GetProperty("ringEpoch").GetInt64().Should().BePositive();
                (store.GetProperty("primaries").GetInt32() + store.GetProperty("replicas").GetInt32() + store.GetProperty("learners").GetInt32())
                    .Should().BePositive("every node holds replicas in a formed ring of three");
                store.GetProperty("keys").GetInt64().Should().BePositive("with RF 3 on three nodes every node holds every key: " + run);
                store.GetProperty("bytes").GetInt64().Should().BeGreaterThanOrEqualTo(key.Length + 1);
                store.GetProperty("replicationLag").GetInt64().Should().BeGreaterThanOrEqualTo(0);
                store.GetProperty("unanswered").GetInt32().Should().Be(0);
            }
        }, Settle, TimeSpan.FromMilliseconds(500));
    }

    /// <summary>
    /// Fault: none (kv clients come and go). Invariant: a client's normal exit leaves no WARN or ERROR line, and no line
    /// about the client's association, on any node. Several clients, because Akka.Remote's shutdown race that made the
    /// node log one hit about one exit in four.
    /// </summary>
    [Fact]
    public void Kv_puts_leave_no_warning_or_error_on_any_node()
    {
        var before = fixture.Nodes.Select(n => n.Process.Lines.Count).ToList();

        // One after another: many .NET processes at once would only starve the nodes of a loaded 2-core machine.
        for (var i = 0; i < 6; i++)
        {
            var put = Kv("put", $"quiet:{i}", "v", "--timeout", "20s");
            put.ExitCode.Should().Be(0, put.ToString());
        }

        // The node logs a broken association as soon as the connection closes: look for a while, fail at the first.
        Holding.Throughout(TestKitSettings.Dilated(TimeSpan.FromSeconds(2)), () =>
        {
            for (var i = 0; i < fixture.Nodes.Count; i++)
            {
                var fresh = fixture.Nodes[i].Process.Lines.Skip(before[i]).Select(l => l.Text).ToList();
                fresh.Should().NotContain(l => l.Contains("kv-client"), "a client's exit is not worth a line on the node");
                // A loaded machine delays heartbeats, and the failure detector says so: about the machine, not the client.
                fresh.Where(l => l.Contains(" WARN ") || l.Contains(" ERROR ")).Where(l => !l.Contains("heartbeat", StringComparison.OrdinalIgnoreCase))
                    .Should().BeEmpty($"{fixture.Nodes[i].Name} logged a warning or error after kv puts");
            }
        });
    }
}
