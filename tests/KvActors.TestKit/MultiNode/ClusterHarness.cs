using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.TestKit;
using KvActors.Store.Configuration;
using Xunit.Sdk;

namespace KvActors.TestKit.MultiNode;

/// <summary>
/// Several cluster nodes in this process: Akka's multi-node TestKit (Akka.Remote.TestKit and its
/// runner) is not on our feed, so this is the small part of it the specs need. Each node is an
/// ActorSystem of the same name on its own free loopback port, configured as kvnode is
/// (<see cref="KvConfig.Reference"/>) under <see cref="TestOverrides"/>. The links between nodes go
/// through Akka's throttler transport adapter, so a spec can blackhole and heal any link, partition
/// the cluster and crash a node. Every wait has a deadline (dilated by the test time factor).
/// </summary>
public sealed class ClusterHarness : IDisposable
{
    public const string SystemName = "kvspec";

    /// <summary>Deadline for a cluster to form or converge again on a loaded 2-core machine.</summary>
    public static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// What test nodes change from kvnode's configuration. The cluster timings (failure detector,
    /// split-brain resolver stable-after, leader-actions interval) stay those of reference.conf.
    /// </summary>
    public static readonly Config TestOverrides = ConfigurationFactory.ParseString($$"""
        akka {
          # Quiet: warnings and errors only, into the test's output (Akka.TestKit.Xunit2's
          # TestOutputLogger, added per node); no console logger.
          loglevel = WARNING
          stdout-loglevel = WARNING
          loggers = []
          log-dead-letters = off
          actor {
            serializers.kvspec-no-json = "KvActors.TestKit.MultiNode.NoJsonFallbackSerializer, KvActors.TestKit"
            serialization-bindings { "System.Object" = kvspec-no-json }
            serialization-identifiers { "KvActors.TestKit.MultiNode.NoJsonFallbackSerializer, KvActors.TestKit" = {{NoJsonFallbackSerializer.Id}} }
          }
          remote.dot-netty.tcp {
            hostname = "127.0.0.1"
            port = 0
            # The throttler adapter lets a spec blackhole links; addresses become akka.trttl.tcp://...
            # (on KvActors' transport below, and on DotNetty's for a spec that picks it)
            applied-adapters = [trttl]
          }
          remote.kvactors-tcp.applied-adapters = [trttl]
          # ActorSystem.Terminate() is a crash, not a graceful leave: it does not run
          # CoordinatedShutdown (cluster leave). Leave, and a downed node stopping itself, still do.
          coordinated-shutdown.run-by-actor-system-terminate = off
          test.single-expect-default = 5s
        }
        {{TestKitSettings.AkkaTestConfig}}
        """);

    private readonly TestKitBase _kit;
    private readonly Config _extraConfig;
    private readonly Action<ActorSystem, string>? _onSystemStarted;
    private readonly List<ClusterNode> _nodes = [];

    /// <param name="kit">The Akka TestKit whose AwaitAssert/AwaitCondition (and time factor) the waits use.</param>
    /// <param name="extraConfig">Settings for every node of this harness, over <see cref="TestOverrides"/>.</param>
    /// <param name="onSystemStarted">Called with each new node's system and name (e.g. to route its log to the test output).</param>
    public ClusterHarness(TestKitBase kit, Config? extraConfig = null, Action<ActorSystem, string>? onSystemStarted = null)
    {
        _kit = kit;
        _extraConfig = extraConfig ?? Config.Empty;
        _onSystemStarted = onSystemStarted;
    }

    /// <summary>Every node started, in start order, including crashed and stopped ones.</summary>
    public IReadOnlyList<ClusterNode> Nodes { get { lock (_nodes) return [.. _nodes]; } }

    public IReadOnlyList<ClusterNode> LiveNodes => Nodes.Where(n => !n.IsTerminated).ToList();

    /// <summary>A node's full configuration: (per-node, harness, test overrides) over reference.conf.</summary>
    public static Config NodeConfig(int port, Config? extra = null) =>
        ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.port = {port}")
            .WithFallback(extra ?? Config.Empty)
            .WithFallback(TestOverrides)
            .WithFallback(KvConfig.Reference) // includes Akka.Cluster.Tools' defaults and serializers
            .WithFallback(TestKitBase.DefaultConfig);

    /// <summary>
    /// Starts a node on <paramref name="port"/> (0 = a free one; a crashed node's port gives a new
    /// incarnation of that address). Unless <paramref name="join"/> is false it joins
    /// <paramref name="joinTo"/>, by default the oldest-started live node (the first node joins itself).
    /// </summary>
    public ClusterNode StartNode(string name, int port = 0, Config? config = null, bool join = true, ClusterNode? joinTo = null)
    {
        var system = ActorSystem.Create(SystemName, NodeConfig(port, (config ?? Config.Empty).WithFallback(_extraConfig)));
        _onSystemStarted?.Invoke(system, name);
        var node = new ClusterNode(name, system);
        ClusterNode? first;
        lock (_nodes)
        {
            first = _nodes.FirstOrDefault(n => !n.IsTerminated);
            _nodes.Add(node);
        }
        if (join) node.Cluster.Join((joinTo ?? first ?? node).Address);
        return node;
    }

    /// <summary>Starts n1..n<paramref name="count"/> (n1 first, then the others joining it) and waits until every one sees all of them Up.</summary>
    public IReadOnlyList<ClusterNode> StartCluster(int count, TimeSpan? timeout = null)
    {
        var first = StartNode("n1");
        // A Join reaching n1 before n1 has joined itself is dropped and retried only after
        // akka.cluster.retry-unsuccessful-join-after (10 s): let n1 be Up first.
        AwaitMembersUp(1, [first], timeout);
        var started = new List<ClusterNode> { first };
        for (var i = 2; i <= count; i++) started.Add(StartNode($"n{i}", joinTo: first));
        AwaitMembersUp(count, started, timeout);
        return started;
    }

    /// <summary>Waits until every given node (default: every live node) sees exactly <paramref name="count"/> members, all Up and reachable.</summary>
    public void AwaitMembersUp(int count, IEnumerable<ClusterNode>? on = null, TimeSpan? timeout = null)
    {
        var nodes = (on ?? LiveNodes).ToList();
        AwaitOn(nodes, n =>
            n.Cluster.State.Members.Count == count
            && n.Cluster.State.Members.All(m => m.Status == MemberStatus.Up)
            && n.Cluster.State.Unreachable.Count == 0, $"expected {count} members, all Up and reachable", timeout);
    }

    /// <summary>Waits until <paramref name="condition"/> holds on every given node; the failure shows each node's view.</summary>
    public void AwaitOn(IEnumerable<ClusterNode> nodes, Func<ClusterNode, bool> condition, string what, TimeSpan? timeout = null)
    {
        var list = nodes.ToList();
        _kit.AwaitAssert(() =>
        {
            foreach (var n in list)
                if (!condition(n))
                    throw new XunitException($"{n}: {what}; it sees {Describe(n)}.");
        }, timeout ?? ConvergeTimeout, TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// Waits until the cluster-event publisher of <paramref name="node"/> has published a state that
    /// satisfies <paramref name="condition"/>. The publisher tells every subscriber (a singleton
    /// proxy, a pub-sub mediator...) of a change before it answers a later state request, so on
    /// return every subscriber of that node has the events leading to this state in its mailbox.
    /// </summary>
    public void AwaitPublished(ClusterNode node, Func<ClusterEvent.CurrentClusterState, bool> condition, string what, TimeSpan? timeout = null)
    {
        var probe = _kit.CreateTestProbe(node.System);
        try
        {
            _kit.AwaitAssert(() =>
            {
                node.Cluster.SendCurrentClusterState(probe.Ref);
                var state = probe.ExpectMsg<ClusterEvent.CurrentClusterState>();
                if (!condition(state))
                    throw new XunitException($"{node}: {what}; its publisher has [{string.Join(", ", state.Members.Select(m => $"{m.Address.HostPort()} {m.Status}"))}].");
            }, timeout ?? ConvergeTimeout, TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            node.System.Stop(probe.Ref);
        }
    }

    /// <summary>Waits until <paramref name="node"/>'s actor system has terminated (it left, or was downed and stopped itself).</summary>
    public void AwaitTerminated(ClusterNode node, TimeSpan? timeout = null) =>
        _kit.AwaitCondition(() => node.IsTerminated, timeout ?? ConvergeTimeout, TimeSpan.FromMilliseconds(100), $"{node} did not stop; it sees {Describe(node)}.");

    /// <summary>Drops all traffic between <paramref name="a"/> and <paramref name="b"/>, both directions (set at both ends).</summary>
    public Task BlackholeAsync(ClusterNode a, ClusterNode b) => SetLinkAsync(a, b, Akka.Remote.Transport.Blackhole.Instance);

    /// <summary>Heals the link between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public Task PassThroughAsync(ClusterNode a, ClusterNode b) => SetLinkAsync(a, b, Unthrottled.Instance);

    /// <summary>Cuts every link between the two sides; links within a side stay.</summary>
    public async Task PartitionAsync(IEnumerable<ClusterNode> side1, IEnumerable<ClusterNode> side2)
    {
        var other = side2.ToList();
        foreach (var a in side1)
            foreach (var b in other)
                await BlackholeAsync(a, b).ConfigureAwait(false);
    }

    /// <summary>Heals every link between live nodes.</summary>
    public async Task HealAllAsync()
    {
        var live = LiveNodes;
        for (var i = 0; i < live.Count; i++)
            for (var j = i + 1; j < live.Count; j++)
                await PassThroughAsync(live[i], live[j]).ConfigureAwait(false);
    }

    /// <summary>
    /// Crashes <paramref name="node"/>: it goes silent for everyone (every link blackholed), then its
    /// actor system stops without leaving the cluster (ActorSystem.Terminate runs no
    /// CoordinatedShutdown on test nodes). The survivors must notice it by themselves: Unreachable,
    /// then Down (split-brain resolver), then Removed. Its address is healed afterwards, so a new
    /// incarnation may be started on the same port. Nothing here blocks a thread: the in-process nodes share the
    /// test process's thread pool, and a blocked worker delays their heartbeats.
    /// </summary>
    public async Task CrashAsync(ClusterNode node)
    {
        var others = LiveNodes.Where(n => n != node).ToList();
        foreach (var other in others) await BlackholeAsync(node, other).ConfigureAwait(false);
        var max = _kit.Dilated(ConvergeTimeout);
        try
        {
            await node.System.Terminate().WaitAsync(max).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new XunitException($"{node} did not stop within {max} after the crash.");
        }
        foreach (var other in others.Where(o => !o.IsTerminated))
            await other.ThrottleAsync(node.Address, Unthrottled.Instance, ThrottleTimeout).ConfigureAwait(false);
    }

    private TimeSpan ThrottleTimeout => _kit.Dilated(TimeSpan.FromSeconds(10));

    private async Task SetLinkAsync(ClusterNode a, ClusterNode b, ThrottleMode mode)
    {
        if (a == b) throw new ArgumentException("A link needs two different nodes.");
        await a.ThrottleAsync(b.Address, mode, ThrottleTimeout).ConfigureAwait(false);
        await b.ThrottleAsync(a.Address, mode, ThrottleTimeout).ConfigureAwait(false);
    }

    private static string Describe(ClusterNode n)
    {
        if (n.IsTerminated) return "nothing (terminated)";
        var state = n.Cluster.State;
        return $"[{string.Join(", ", state.Members.Select(m => $"{m.Address.HostPort()} {m.Status}"))}]"
               + (state.Unreachable.Count == 0 ? "" : $", unreachable [{string.Join(", ", state.Unreachable.Select(m => m.Address.HostPort()))}]");
    }

    /// <summary>Terminates every node still running (all at once, without leaving).</summary>
    public void Dispose()
    {
        var live = LiveNodes;
        var max = _kit.Dilated(ConvergeTimeout);
        if (!Task.WaitAll(live.Select(n => n.System.Terminate()).ToArray(), max))
            throw new InvalidOperationException($"Nodes did not stop within {max}: {string.Join(", ", live.Where(n => !n.IsTerminated))}.");
    }
}
