using KvActors.Actor;
using KvActors.Cluster;
using KvActors.Hocon;
using KvActors.Remote.FaultInjection;
using Xunit.Sdk;

namespace KvActors.TestKit.MultiNode;

/// <summary>
/// Starts N cluster nodes in this process, each its own actor system on a free loopback port,
/// and controls the network between them through each node's fault injector: Blackhole,
/// PassThrough, Delay, and Crash (sockets dropped with no leave). Awaits are bounded by deadlines.
/// Nodes share one system name, as the members of one cluster do.
/// </summary>
public sealed class ClusterHarness : IDisposable
{
    /// <summary>Timings for tests: quick detection and decisions, with room for a loaded 2-core machine.</summary>
    public const string TestConfig = """
        kvactors.actor.provider = cluster
        kvactors.remote.port = 0
        kvactors.remote.backoff.min = 50ms
        kvactors.remote.backoff.max = 200ms
        kvactors.remote.system-message-resend-interval = 200ms
        kvactors.log-dead-letters = off
        kvactors.cluster {
          seed-node-timeout = 1s
          retry-unsuccessful-join-after = 1s
          gossip-interval = 100ms
          leader-actions-interval = 100ms
          unreachable-nodes-reaper-interval = 100ms
          failure-detector {
            heartbeat-interval = 200ms
            acceptable-heartbeat-pause = 1s
          }
          split-brain-resolver.stable-after = 1s
        }
        kvactors.coordinated-shutdown.phases.cluster-exiting.timeout = 3s
        """;

    private readonly LogCapture _logs;
    private readonly string _extraConfig;
    private readonly List<ClusterNode> _nodes = [];
    private readonly string _systemName;

    public ClusterHarness(LogCapture logs, string extraConfig = "", string systemName = "cluster")
    {
        _logs = logs;
        _extraConfig = extraConfig;
        _systemName = systemName;
    }

    public IReadOnlyList<ClusterNode> Nodes { get { lock (_nodes) return [.. _nodes]; } }

    /// <summary>Starts a node; by default it joins the first node started (the first joins itself).</summary>
    public ClusterNode StartNode(string name, int port = 0, string? config = null, bool join = true)
    {
        var full = Config.Parse($"{config}\n{_extraConfig}\n{TestConfig}\nkvactors.remote.port = {port}");
        var system = ActorSystem.Create(_systemName, full, new ActorSystemSetup { LoggerFactory = _logs });
        var node = new ClusterNode(name, system);
        ClusterNode? first;
        lock (_nodes)
        {
            first = _nodes.FirstOrDefault(n => !n.IsTerminated);
            _nodes.Add(node);
        }
        if (join) node.Cluster.Join((first ?? node).Address);
        return node;
    }

    /// <summary>Starts <paramref name="count"/> nodes and waits until all see all Up.</summary>
    public IReadOnlyList<ClusterNode> StartCluster(int count, TimeSpan? timeout = null)
    {
        var started = Enumerable.Range(1, count).Select(i => StartNode($"n{i}")).ToList();
        AwaitMembersUp(count, timeout, started);
        return started;
    }

    /// <summary>Waits until every given node (default: every live node) sees exactly <paramref name="count"/> members, all Up.</summary>
    public void AwaitMembersUp(int count, TimeSpan? timeout = null, IEnumerable<ClusterNode>? on = null)
    {
        var nodes = (on ?? Nodes.Where(n => !n.IsTerminated)).ToList();
        Awaiting.AwaitAssert(() =>
        {
            foreach (var n in nodes)
            {
                var members = n.Cluster.State.Members;
                if (members.Count != count || members.Any(m => m.Status != MemberStatus.Up))
                    throw new XunitException($"{n} sees [{string.Join(", ", members.Select(m => $"{m.Address.HostPort} {m.Status}"))}], expected {count} Up.");
            }
        }, timeout ?? TestKitSettings.Dilated(TimeSpan.FromSeconds(20)), TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Waits until <paramref name="condition"/> holds on every given node.</summary>
    public static void AwaitOn(IEnumerable<ClusterNode> nodes, Func<ClusterNode, bool> condition, string what, TimeSpan? timeout = null)
    {
        var list = nodes.ToList();
        Awaiting.AwaitAssert(() =>
        {
            foreach (var n in list)
                if (!condition(n))
                    throw new XunitException($"{n}: {what} (it sees [{string.Join(", ", n.Cluster.State.Members.Select(m => $"{m.Address.HostPort} {m.Status}"))}], unreachable [{string.Join(", ", n.Cluster.State.Unreachable.Select(m => m.Address.HostPort))}]).");
        }, timeout ?? TestKitSettings.Dilated(TimeSpan.FromSeconds(20)), TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Drops traffic between <paramref name="a"/> and <paramref name="b"/> (both ways unless said).</summary>
    public void Blackhole(ClusterNode a, ClusterNode b, FaultDirection direction = FaultDirection.Both)
    {
        a.Faults.Blackhole(b.Address, direction);
        var mirrored = direction switch { FaultDirection.Send => FaultDirection.Receive, FaultDirection.Receive => FaultDirection.Send, _ => FaultDirection.Both };
        b.Faults.Blackhole(a.Address, mirrored);
    }

    /// <summary>Splits the nodes into sides that cannot talk to each other.</summary>
    public void Partition(IReadOnlyList<ClusterNode> side1, IReadOnlyList<ClusterNode> side2)
    {
        foreach (var a in side1)
            foreach (var b in side2)
                Blackhole(a, b);
    }

    public void PassThrough(ClusterNode a, ClusterNode b)
    {
        a.Faults.PassThrough(b.Address);
        b.Faults.PassThrough(a.Address);
    }

    public void HealAll()
    {
        foreach (var n in Nodes) n.Faults.Clear();
    }

    public void Delay(ClusterNode from, ClusterNode to, TimeSpan delay) => from.Faults.Delay(to.Address, delay);

    /// <summary>The node vanishes from the network without leaving (its sockets close), then its system stops.</summary>
    public void Crash(ClusterNode node)
    {
        // Silence it first (its own rules only: a later node may reuse its address), then drop its sockets.
        foreach (var other in Nodes.Where(n => n != node)) node.Faults.Blackhole(other.Address, FaultDirection.Both);
        node.Provider.Transport.DisposeAsync().AsTask().Wait(TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        node.System.Terminate().Wait(TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
    }

    public void Dispose()
    {
        var live = Nodes.Where(n => !n.IsTerminated).ToList();
        foreach (var n in live) n.Faults.Clear();
        Task.WaitAll(live.Select(n => n.System.Terminate()).ToArray(), TestKitSettings.Dilated(TimeSpan.FromSeconds(30)));
    }
}
