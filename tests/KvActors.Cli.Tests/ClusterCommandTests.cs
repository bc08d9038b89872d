using KvActors.TestKit;
using KvActors.TestKit.Processes;

namespace KvActors.Cli.Tests;

/// <summary>kv's cluster commands against one running kvnode (a cluster of itself).</summary>
[Collection(StandaloneNodeCollection.Name)]
public sealed class ClusterCommandTests(NodeFixture fixture)
{
    private string Node => fixture.Address;

    [Fact]
    public void Cluster_show_json_carries_self_leader_singleton_host_and_every_member_field()
    {
        var run = Executables.Kv("cluster", "show", "--json", "--seeds", Node);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Trim().Should().StartWith(
            $$"""{"self": "{{Node}}", "leader": "{{Node}}", "singletonHost": "{{Node}}", "members": [{"address": "{{Node}}", "status": "Up", "reachable": true, "upNumber": 1, "roles": [], "leader": true, "store": {"ringEpoch": """);
        run.StdoutLines.Should().HaveCount(1, "--json is one line, for scripts");
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var store = json.RootElement.GetProperty("members")[0].GetProperty("store");
        // One node and replication factor 3: it holds every partition, as primary.
        store.GetProperty("primaries").GetInt32().Should().Be(32, run.ToString()); // test nodes run 32 partitions
        store.GetProperty("replicas").GetInt32().Should().Be(0);
        store.GetProperty("unanswered").GetInt32().Should().Be(0);
        store.GetProperty("replicationLag").GetInt64().Should().Be(0, "a lone primary waits for no one");
    }

    [Fact]
    public void Cluster_show_prints_a_plain_table_with_self_leader_and_singleton_host()
    {
        var run = Executables.Kv("cluster", "show", "--seeds", Node);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().ContainAll("Address", "Status", "Reachable", "Age (upNumber)", "Roles", "Leader", "Partitions P/R/L", "Keys", "Bytes", "Lag");
        run.StdoutLines.Should().Contain(l => l.Contains($"{Node} (self)") && l.Contains("32/0/0"), "the lone node is primary of every partition");
        run.StdoutLines.Should().Contain(l => l.Contains($"{Node} (self)") && l.Contains("Up") && l.Contains("yes") && l.Contains('*'));
        run.StdoutLines[^1].Should().Be($"Seen by {Node}; leader: {Node}; singleton host: {Node}; members: 1.");
        run.Stdout.Should().NotContain("\u001b", "redirected output carries no ANSI escape codes");
    }

    [Fact]
    public void NO_COLOR_output_has_no_escape_codes()
    {
        var run = Executables.Run(Executables.KvDll, ["cluster", "show", "--seeds", Node],
            environment: new Dictionary<string, string?> { ["NO_COLOR"] = "1" });

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain($"{Node} (self)").And.NotContain("\u001b");
        run.Stderr.Should().NotContain("\u001b");
    }

    [Fact]
    public void Ping_prints_pong_from_the_node()
    {
        var run = Executables.Kv("--command", "PING", "--seeds", Node);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().MatchRegex($@"^PONG from {Node.Replace(".", @"\.")} in \d+\.\d\d ms\n$");
    }

    [Fact]
    public void A_later_seed_is_used_when_the_first_refuses()
    {
        using var nobody = new RefusingPort();

        var run = Executables.Kv("--command", "LIST_NODES", "--seeds", $"{nobody.Address},{Node}");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Be(Node + "\n");
    }

    [Fact]
    public void Leaving_a_member_the_node_does_not_know_is_refused_in_one_sentence()
    {
        var run = Executables.Kv("cluster", "leave", "127.0.0.1:1", "--seeds", Node);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be($"127.0.0.1:1 is not a member of the cluster as {Node} sees it.");
    }

    [Fact]
    public void Joining_another_cluster_is_refused_for_a_node_that_is_already_a_member()
    {
        var run = Executables.Kv("cluster", "join", "127.0.0.1:1", "--seeds", Node);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().StartWith($"{Node} is already a member of a cluster");
    }

    [Fact]
    public void Down_unreachable_downs_nobody_in_a_healthy_cluster()
    {
        var run = Executables.Kv("cluster", "down-unreachable", "--json", "--seeds", Node);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Trim().Should().Be("[]");
    }

    [Fact]
    public void A_data_command_without_its_key_is_one_sentence_and_exit_code_2()
    {
        var run = Executables.Kv("--command", "GET", "--seeds", Node);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("GET takes one key: GET key.");
    }

    [Fact]
    public void Tail_streams_the_current_members_then_stops_on_SIGINT_with_exit_code_0()
    {
        using var tail = TestHostProcess.StartDllAsInATerminal(Executables.KvDll, "cluster", "tail", "--seeds", Node);

        tail.WaitForLineContaining($"MemberUp {Node}");
        tail.Signal("INT");

        tail.WaitForExit(TestKitSettings.Dilated(TimeSpan.FromSeconds(15))).Should().Be(0, tail.Tail());
    }
}
