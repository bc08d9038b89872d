using Akka.Configuration;
using KvActors.Resp.Cluster;
using KvActors.Resp.Commands;
using KvActors.Resp.Server;
using KvActors.Storage.Engine;
using KvActors.Store.Ring;
using KvActors.Store.Shards;
using KvActors.TestKit.MultiNode;
using StackExchange.Redis;
using ClusterNode = KvActors.TestKit.MultiNode.ClusterNode;

namespace KvActors.Resp.Tests.Cluster;

/// <summary>
/// Three in-process nodes, each started as kvnode starts one: RESP listener bound first (its port announced as the
/// cluster role), ring, store (in memory), RESP front end. 32 partitions, RF 3, the first ring waits for all three.
/// Plain akka.tcp transport (no throttler): the front end's KvClient addresses nodes as kvnode's clients do.
/// Shared by the tests of one class; a cluster-aware StackExchange.Redis multiplexer is connected through node 1.
/// FLUSHALL is enabled on node 3 only (kvactors.resp.flushall-enabled), so both answers can be seen.
/// Derived fixtures may start fewer nodes (RF = their count) or turn the primaries' active expiry off.
/// </summary>
public class RespClusterFixture : IAsyncLifetime
{
    private readonly int _nodeCount;
    private readonly bool _activeExpiry;

    public RespClusterFixture() : this(3, activeExpiry: true)
    {
    }

    protected RespClusterFixture(int nodes, bool activeExpiry)
    {
        _nodeCount = nodes;
        _activeExpiry = activeExpiry;
    }

    public const int Partitions = 32;
    private static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(60);

    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-resp-").FullName;
    private readonly Akka.TestKit.Xunit2.TestKit _kit = new(ConfigurationFactory.ParseString("akka.loglevel = WARNING\n" + KvActors.TestKit.TestKitSettings.AkkaTestConfig), "resp-driver");
    private ClusterHarness? _harness;

    public sealed record Node(ClusterNode Cluster, RespServer Server, RespNode Resp)
    {
        public int Port => Server.EndPoint.Port;
        public string Endpoint => $"127.0.0.1:{Port}";
    }

    public List<Node> Nodes { get; } = [];

    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public ClusterHarness Harness => _harness!;

    public async Task InitializeAsync()
    {
        _harness = new ClusterHarness(_kit, ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.applied-adapters = [], akka.remote.kvactors-tcp.applied-adapters = []"));
        var first = await StartNode("n1", null);
        Harness.AwaitMembersUp(1, [first.Cluster]);
        Nodes.Add(first);
        for (var i = 2; i <= _nodeCount; i++) Nodes.Add(await StartNode($"n{i}", first.Cluster));
        Harness.AwaitMembersUp(_nodeCount, Nodes.Select(n => n.Cluster));
        _kit.AwaitAssert(() =>
        {
            foreach (var n in Nodes)
            {
                var ring = n.Resp.Topology.Ring;
                if (ring is null || !ring.Partitions.All(p => p.InSync.Length == _nodeCount && p.Learners.IsEmpty))
                    throw new Xunit.Sdk.XunitException($"{n.Cluster}: no ring with every replica in sync yet ({ring?.ToString() ?? "no ring"}).");
            }
        }, RingTimeout, TimeSpan.FromMilliseconds(200));
        Redis = await ConnectionMultiplexer.ConnectAsync(Options(Nodes[0].Endpoint));
    }

    /// <summary>Options for a cluster-aware client seeded with <paramref name="endpoint"/>; other nodes are discovered (CLUSTER NODES).</summary>
    public static ConfigurationOptions Options(string endpoint, RedisProtocol protocol = RedisProtocol.Resp2) => new()
    {
        EndPoints = { endpoint },
        ConnectTimeout = 15_000,
        SyncTimeout = 15_000,
        AsyncTimeout = 15_000,
        AbortOnConnectFail = true,
        AllowAdmin = true,
        Protocol = protocol,
    };

    private async Task<Node> StartNode(string name, ClusterNode? joinTo)
    {
        var settings = new RespSettings { Host = "127.0.0.1", Port = RespSettings.AnyPort, RequestTimeout = TimeSpan.FromSeconds(15), FlushAllEnabled = name == "n3" };
        var server = await RespHost.BindAsync(settings);
        var node = Harness.StartNode(name, config: ConfigurationFactory.ParseString($"akka.cluster.roles = [\"{RespRole.Of(server.EndPoint.Port)}\"]"), joinTo: joinTo);
        var proxy = RingHost.Start(node.System, new RingSettings
        {
            Partitions = Partitions,
            ReplicationFactor = _nodeCount,
            MinMembers = _nodeCount,
            FailoverAfter = TimeSpan.FromSeconds(1),
            LastRingTimeout = TimeSpan.FromSeconds(5),
            RepublishInterval = TimeSpan.FromSeconds(1),
            DataDir = Path.Combine(_dataRoot, name),
        });
        var engine = new InMemoryStorageEngine();
        var shards = new ShardSettings();
        if (!_activeExpiry) shards = shards with { Replication = shards.Replication with { ExpiryDeletesPerTick = 0 } };
        StoreHost.Start(node.System, engine, proxy, shards);
        var resp = RespHost.Start(node.System, server, settings with { Port = server.EndPoint.Port }, name);
        return new Node(node, server, resp);
    }

    public async Task DisposeAsync()
    {
        if (Redis is not null) await Redis.DisposeAsync();
        try
        {
            _harness?.Dispose();
        }
        finally
        {
            _kit.Shutdown();
            Directory.Delete(_dataRoot, recursive: true);
        }
    }
}
