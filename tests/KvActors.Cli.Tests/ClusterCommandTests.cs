using KvActors.TestKit.Processes;
using KvActors.TestKit;

namespace KvActors.Cli.Tests;

/// <summary>kv against one running kvnode (standalone: a cluster of itself).</summary>
public sealed class ClusterCommandTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public void Cluster_show_json_reports_the_node_Up_and_leader()
    {
        var run = Executables.Kv("cluster", "show", "--json", "--seeds", node.Address);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Trim().Should().Be(
            $$"""{"self": "{{node.Address}}", "leader": "{{node.Address}}", "members": [{"address": "{{node.Address}}", "status": "Up", "reachable": true, "upNumber": 1, "roles": []}]}""");
    }

    [Fact]
    public void Cluster_show_prints_a_table_with_the_leader_and_singleton_host()
    {
        var run = Executables.Kv("cluster", "show", "--seeds", node.Address);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain($"{node.Address} (self)").And.Contain("Up")
            .And.Contain($"leader: {node.Address}; singleton host: {node.Address}; members: 1.");
    }

    [Fact]
    public void Ping_prints_pong_from_the_node()
    {
        var run = Executables.Kv("--command", "PING", "--seeds", node.Address);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().MatchRegex($@"^PONG from {node.Address.Replace(".", @"\.")} in \d+\.\d\d ms");
    }

    [Fact]
    public void List_nodes_and_a_later_seed_are_used_when_the_first_is_down()
    {
        var run = Executables.Kv("--command", "LIST_NODES", "--seeds", $"127.0.0.1:{Executables.FreePort()},{node.Address}", "--timeout", "3s");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Trim().Should().Be(node.Address);
    }

    [Fact]
    public void Leaving_a_member_the_node_does_not_know_is_refused_in_one_sentence()
    {
        var run = Executables.Kv("cluster", "leave", "127.0.0.1:1", "--seeds", node.Address);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().StartWith("127.0.0.1:1 is not a member");
    }

    [Fact]
    public void Down_unreachable_downs_nobody_in_a_healthy_cluster()
    {
        var run = Executables.Kv("cluster", "down-unreachable", "--json", "--seeds", node.Address);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Trim().Should().Be("[]");
    }

    [Fact]
    public void Data_commands_are_refused_until_the_store_exists()
    {
        var run = Executables.Kv("--command", "GET some-key", "--seeds", node.Address);

        run.ExitCode.Should().Be(2, run.ToString());
        run.OneSentenceError().Should().Be("not available yet: the store layer is not built.");
    }

    [Fact]
    public void Tail_streams_the_current_members_then_stops_on_SIGINT()
    {
        using var tail = TestHostProcess.StartDll(Executables.KvDll, "cluster", "tail", "--seeds", node.Address);

        tail.ExpectLineContaining($"MemberUp {node.Address}", TestKitSettings.Dilated(TimeSpan.FromSeconds(15)));
        tail.Signal("INT");

        tail.WaitForExit(TestKitSettings.Dilated(TimeSpan.FromSeconds(10))).Should().Be(0);
    }
}
