using System.Net;
using System.Net.Sockets;
using KvActors.TestKit;
using KvActors.TestKit.Processes;

namespace KvActors.Cli.Tests;

/// <summary>How a kvnode process starts, joins and ends.</summary>
public sealed class NodeLifecycleTests
{
    private static readonly TimeSpan ExitDeadline = TestKitSettings.Dilated(TimeSpan.FromSeconds(30));

    [Fact]
    public void SIGTERM_leaves_the_cluster_gracefully_and_exits_0()
    {
        using var node = NodeProcess.Start(new NodeOptions { Name = "term" });

        node.Terminate();

        node.WaitForExit(ExitDeadline).Should().Be(0, node.Process.Tail());
        // The graceful path: the member is marked Leaving, moved to Exiting, and only then does the node stop.
        node.Process.HasLine(l => l.Contains($"Marked address [akka.tcp://kvactors@{node.Address}] as [Leaving]")).Should().BeTrue(node.Process.Tail());
        node.Process.HasLine(l => l.Contains("Exiting completed")).Should().BeTrue(node.Process.Tail());
    }

    [Fact]
    public void Cluster_leave_of_the_node_itself_answers_then_the_node_exits_0()
    {
        using var node = NodeProcess.Start(new NodeOptions { Name = "leaver" });

        var run = Executables.Kv("cluster", "leave", node.Address, "--seeds", node.Address);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Be($"Leave {node.Address} accepted by {node.Address}.\n");
        node.WaitForExit(ExitDeadline).Should().Be(0, node.Process.Tail());
        node.Process.HasLine(l => l.Contains("Exiting completed")).Should().BeTrue(node.Process.Tail());
    }

    [Fact]
    public void Cluster_join_makes_a_node_that_has_not_joined_yet_join_the_cluster_of_another()
    {
        using var nobody = new RefusingPort();
        using var nodes = new ProcessGroup();
        var first = nodes.StartNode(new NodeOptions { Name = "first" });
        // Its only seed never listens, so it waits (quietly) without joining anything.
        var waiting = nodes.StartNode(new NodeOptions { Name = "waiting", Seeds = [nobody.Address] });

        var run = Executables.Kv("cluster", "join", first.Address, "--seeds", waiting.Address);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Be($"Join of the cluster at {first.Address} accepted by {waiting.Address}.\n");
        Awaiting.AwaitAssert(() =>
        {
            var view = Executables.ShowCluster(first.Address);
            view.IsUpWith(first.Address, waiting.Address).Should().BeTrue(view.ToString());
        }, TestKitSettings.Dilated(TimeSpan.FromSeconds(30)), TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_port_in_use_is_one_sentence_and_exit_code_2()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var dataDir = Path.Combine(Path.GetTempPath(), "kvactors-tests", $"in-use-{Guid.NewGuid():N}");

            var run = Executables.RunNode("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dataDir);

            run.ExitCode.Should().Be(2, run.ToString());
            run.OneSentenceError().Should().Be($"kvnode: could not listen on 127.0.0.1:{port}: another process holds that port; stop it or choose another --port.");
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public void A_second_node_on_a_running_nodes_port_is_refused_and_the_running_node_stays()
    {
        // The fault: an operator starts a node on the port of a live one (a copied config, a restart that does not wait
        // for the old process). The invariant: the newcomer exits; the live node is not replaced as an "incarnation".
        using var first = NodeProcess.Start(new NodeOptions { Name = "first" });
        var dataDir = Path.Combine(Path.GetTempPath(), "kvactors-tests", $"second-{Guid.NewGuid():N}");

        var second = Executables.RunNode("--port", first.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seeds", first.Address, "--name", "second", "--data-dir", dataDir);

        second.ExitCode.Should().Be(2, second.ToString());
        second.OneSentenceError().Should().Be($"kvnode: could not listen on 127.0.0.1:{first.Port}: another process holds that port; stop it or choose another --port.");
        first.HasExited.Should().BeFalse(first.Process.Tail());
        var view = Executables.ShowCluster(first.Address);
        view.IsUpWith(first.Address).Should().BeTrue(view.ToString());
    }
}
