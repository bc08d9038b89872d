using System.Text.Json;
using KvActors.TestKit;
using KvActors.TestKit.Processes;
using Xunit.Sdk;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// Real kvnode processes, real signals, observed through `kv cluster show --json` as an operator would.
/// </summary>
public sealed class ProcessSpecs : IDisposable
{
    private readonly List<TestHostProcess> _nodes = [];
    private readonly int _seedPort = Executables.FreePort();

    private TestHostProcess StartNode(int port)
    {
        var node = TestHostProcess.StartDll(Executables.NodeDll,
            ["--port", port.ToString(), "--name", $"n{port}", "--seeds", $"127.0.0.1:{_seedPort}", "--data-dir", Path.Combine(Path.GetTempPath(), $"kv-spec-{port}")]);
        _nodes.Add(node);
        node.ExpectLineContaining(" is up at ", TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
        return node;
    }

    private (TestHostProcess Seed, TestHostProcess A, TestHostProcess B, int PortB) StartThree()
    {
        var seed = StartNode(_seedPort);
        var a = StartNode(Executables.FreePort());
        var portB = Executables.FreePort();
        var b = StartNode(portB);
        AwaitMembers(3, "three members Up");
        return (seed, a, b, portB);
    }

    /// <summary>The seed's view, from `kv cluster show --json`: address -> status.</summary>
    private Dictionary<string, string> Members()
    {
        var run = Executables.Kv("cluster", "show", "--json", "--seeds", $"127.0.0.1:{_seedPort}", "--timeout", "3s");
        if (run.ExitCode != 0) throw new XunitException($"kv cluster show failed: {run}");
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("address").GetString()!, m => m.GetProperty("status").GetString()!);
    }

    private void AwaitMembers(int count, string what, Func<Dictionary<string, string>, bool>? also = null) =>
        Awaiting.AwaitAssert(() =>
        {
            var members = Members();
            if (members.Count != count || members.Values.Any(s => s != "Up") || (also is not null && !also(members)))
                throw new XunitException($"expected {what}; the seed sees {string.Join(", ", members.Select(m => $"{m.Key} {m.Value}"))}.");
        }, TestKitSettings.Dilated(TimeSpan.FromSeconds(30)), TimeSpan.FromMilliseconds(200));

    /// <summary>Fault: SIGKILL one of three nodes. Invariant: it is removed; the other two stay Up.</summary>
    [Fact]
    public void A_SIGKILLed_node_is_removed()
    {
        var (_, _, b, portB) = StartThree();
        b.Kill();
        AwaitMembers(2, "the killed node removed", m => !m.ContainsKey($"127.0.0.1:{portB}"));
    }

    /// <summary>
    /// Fault: SIGSTOP one node past the failure detector, then SIGCONT. Invariant: the others down and
    /// remove it; when it wakes up it learns it is out and shuts itself down.
    /// </summary>
    [Fact]
    public void A_SIGSTOPped_node_is_downed_and_after_SIGCONT_shuts_itself_down()
    {
        var (_, _, b, portB) = StartThree();
        b.Signal("STOP");
        AwaitMembers(2, "the frozen node removed", m => !m.ContainsKey($"127.0.0.1:{portB}"));
        b.Signal("CONT");
        b.WaitForExit(TestKitSettings.Dilated(TimeSpan.FromSeconds(30))); // fails the spec if it keeps running
    }

    public void Dispose()
    {
        foreach (var n in _nodes) n.Dispose();
    }
}
