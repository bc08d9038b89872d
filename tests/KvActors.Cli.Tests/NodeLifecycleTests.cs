using KvActors.TestKit.Processes;
using System.Net;
using System.Net.Sockets;
using KvActors.TestKit;

namespace KvActors.Cli.Tests;

/// <summary>How a kvnode process starts and ends.</summary>
public sealed class NodeLifecycleTests
{
    private static readonly TimeSpan ExitDeadline = TestKitSettings.Dilated(TimeSpan.FromSeconds(10));

    [Fact]
    public void SIGTERM_shuts_the_node_down_gracefully_with_exit_code_0()
    {
        var (node, _) = Executables.StartNode();
        using (node)
        {
            node.Signal("TERM");

            node.WaitForExit(ExitDeadline).Should().Be(0);
            node.RemainingLines().Should().Contain(l => l.Contains("Coordinated shutdown") && l.Contains("SIGTERM"));
        }
    }

    [Fact]
    public void Cluster_leave_of_the_node_itself_shuts_it_down_after_answering()
    {
        var (node, port) = Executables.StartNode();
        using (node)
        {
            var run = Executables.Kv("cluster", "leave", $"127.0.0.1:{port}", "--seeds", $"127.0.0.1:{port}");

            run.ExitCode.Should().Be(0, run.ToString());
            run.Stdout.Should().Contain($"Leave of 127.0.0.1:{port} accepted");
            node.WaitForExit(ExitDeadline).Should().Be(0);
        }
    }

    [Fact]
    public void A_port_in_use_is_one_sentence_and_exit_code_2()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;

            var run = Executables.RunNode("--port", port.ToString());

            run.ExitCode.Should().Be(2, run.ToString());
            run.OneSentenceError().Should().StartWith("kvnode: could not start the node: ");
        }
        finally
        {
            taken.Stop();
        }
    }
}
