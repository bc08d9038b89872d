using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KvActors.TestKit;
using KvActors.TestKit.Processes;
using Xunit.Abstractions;

namespace KvActors.Resp.Tests.Cluster;

/// <summary>
/// redis-cli (Debian's redis-tools; `./build.sh test` installs it when absent) against three kvnode processes started
/// as `./build.sh cluster` starts them, each with --resp-port: PING, SET/GET through different nodes, cluster mode
/// (-c), CLUSTER SLOTS, --scan and DBSIZE. Reported as skipped, with the reason, where redis-cli is not installed.
/// </summary>
public sealed class RedisCliSpecs(ITestOutputHelper output)
{
    private static readonly string? RedisCli = new[] { "/usr/bin/redis-cli", "/usr/local/bin/redis-cli" }.FirstOrDefault(File.Exists);

    /// <summary>A port free now (bound to 0, then released): kvnode's --resp-port needs a number, and 0 means off.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Cli(int port, params string[] args)
    {
        var start = new ProcessStartInfo(RedisCli!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-p", port.ToString(CultureInfo.InvariantCulture) }.Concat(args)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TestKitSettings.Dilated(TimeSpan.FromSeconds(20))))
        {
            process.Kill();
            throw new Xunit.Sdk.XunitException($"redis-cli {string.Join(' ', args)} did not finish within 20 s.");
        }
        return (stdout.Result + stderr.Result).Trim();
    }

    [SkippableFact]
    public void Redis_cli_talks_to_a_three_node_kvnode_cluster()
    {
        Skip.If(RedisCli is null, "redis-cli is not installed: `./build.sh test` installs Debian's redis-tools when apt-get is usable; or run `apt-get install redis-tools`.");
        using var group = new ProcessGroup();
        var ports = Enumerable.Range(0, 3).Select(_ => FreePort()).ToArray();
        // The first ring waits for all three (as the in-process cluster does), so no partition has to move afterwards;
        // a request may wait out a loaded machine's lease renewals for longer than the default 5 s.
        string[] Flags(int i) => ["--resp-port", ports[i].ToString(CultureInfo.InvariantCulture), "-Dkvactors.cluster.min-nr-of-members=3", "-Dkvactors.resp.request-timeout=30s"];
        var seed = group.StartNode(new NodeOptions { Name = "cli-seed", Arguments = Flags(0) });
        var members = new[] { 1, 2 }.Select(i => group.StartNode(new NodeOptions
        {
            Name = $"cli-member-{i}",
            Seeds = [seed.Address],
            Arguments = Flags(i),
        })).ToList();

        // Settled: every slot assigned and each of the three nodes leading some (slots after field 8).
        try
        {
        Awaiting.AwaitAssert(() =>
        {
            Cli(ports[0], "cluster", "info").Should().Contain("cluster_state:ok").And.Contain("cluster_known_nodes:3");
            var nodes = Cli(ports[2], "cluster", "nodes").Split('\n');
            nodes.Should().HaveCount(3);
            nodes.Should().OnlyContain(line => line.Split(' ').Length > 8, "every node leads some slots once the ring has settled");
        }, TestKitSettings.Dilated(TimeSpan.FromSeconds(90)), TimeSpan.FromMilliseconds(500));
        }
        catch (Exception e)
        {
            throw seed.Failure($"The cluster did not settle: {e.Message}");
        }

        Cli(ports[0], "ping").Should().Be("PONG");
        Cli(ports[0], "set", "a", "1").Should().Be("OK");
        Cli(ports[1], "get", "a").Should().Be("1", "any node answers any key");
        Cli(ports[2], "-c", "set", "user:1000", "alice").Should().Be("OK");
        Cli(ports[1], "-c", "get", "user:1000").Should().Be("alice");
        Cli(ports[0], "get", "nothing").Should().BeEmpty("redis-cli prints a nil reply as an empty line when not on a terminal");
        Cli(ports[0], "set", "a").Should().Be("ERR wrong number of arguments for 'set' command");

        var slots = Cli(ports[1], "cluster", "slots");
        output.WriteLine(slots);
        foreach (var port in ports) slots.Should().Contain(port.ToString(CultureInfo.InvariantCulture), "every node leads some slots");
        slots.Should().StartWith("0\n");
        Cli(ports[0], "cluster", "keyslot", "user:1000").Should().Be("1649");
        // Each node scans and counts the keys of the partitions it leads; together: every key once.
        ports.SelectMany(p => Cli(p, "--scan", "--pattern", "*").Split('\n', StringSplitOptions.RemoveEmptyEntries)).Order(StringComparer.Ordinal)
            .Should().Equal("a", "user:1000");
        ports.Sum(p => long.Parse(Cli(p, "dbsize"), CultureInfo.InvariantCulture)).Should().Be(2);
        output.WriteLine(Cli(ports[0], "info", "replication"));
        _ = members;
    }
}
