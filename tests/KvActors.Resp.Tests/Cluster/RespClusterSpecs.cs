using System.Net;
using System.Text;
using KvActors.Resp.Cluster;
using KvActors.Resp.Tests.Protocol;
using KvActors.Resp.Tests.Server;
using KvActors.Store.Partitioning;
using StackExchange.Redis;

namespace KvActors.Resp.Tests.Cluster;

/// <summary>
/// StackExchange.Redis (cluster-aware) and raw RESP connections against a 3-node in-process cluster: every command the
/// front end implements, the placement the CLUSTER commands report, forwarding from any node, and a live fuzz.
/// </summary>
public sealed partial class RespClusterSpecs(RespClusterFixture cluster) : IClassFixture<RespClusterFixture>
{
    private IDatabase Db => cluster.Redis.GetDatabase();

    private IServer Server(int i) => cluster.Redis.GetServer(IPEndPoint.Parse(cluster.Nodes[i].Endpoint));

    [Fact]
    public void The_client_discovers_all_three_nodes_as_a_cluster_covering_every_slot()
    {
        var servers = cluster.Redis.GetServers();
        servers.Select(s => ((IPEndPoint)s.EndPoint).Port).Order().Should().Equal(cluster.Nodes.Select(n => n.Port).Order());
        servers.Should().OnlyContain(s => s.ServerType == ServerType.Cluster && s.IsConnected);
        var config = servers[0].ClusterConfiguration!;
        config.Nodes.Should().HaveCount(3);
        for (var slot = 0; slot < HashSlot.Count; slot += 97)
            config.GetBySlot(slot).Should().NotBeNull($"slot {slot} is served");
    }

    [Fact]
    public void Cluster_slots_name_each_partition_s_primary_and_replicas_by_their_resp_endpoints()
    {
        var byNode = cluster.Nodes.ToDictionary(RingPathsOf, n => n.Port);
        var node = cluster.Nodes[1];
        // The ring may move (a replica silent on a loaded machine is dropped, then caught up): compare CLUSTER SLOTS
        // with the ring the node held both before and after answering.
        KvActors.TestKit.Awaiting.AwaitAssert(() =>
        {
            var ring = node.Resp.Topology.Ring!;
            var slots = (RedisResult[])Server(1).Execute("CLUSTER", "SLOTS")!;
            node.Resp.Topology.Ring!.Epoch.Should().Be(ring.Epoch, "the ring did not change while CLUSTER SLOTS was answered");
            var partitioner = new Partitioner(ring.PartitionCount);
            var covered = 0;
            foreach (var range in slots.Select(r => (RedisResult[])r!))
            {
                int first = (int)range[0], last = (int)range[1];
                covered += last - first + 1;
                var set = ring[partitioner.PartitionOfSlot(first)];
                ring[partitioner.PartitionOfSlot(last)].Should().Be(set, "a range never spans two replica sets");
                var master = (RedisResult[])range[2]!;
                ((int)master[1]).Should().Be(byNode[set.Primary!.Value], $"slots {first}-{last} go to their primary");
                ((string)master[2]!).Should().Be(TopologySnapshot.IdOf(set.Primary!.Value));
                range.Skip(3).Select(r => (int)((RedisResult[])r!)[1]).Order().Should().Equal(set.InSync.Skip(1).Select(n => byNode[n]).Order());
            }
            covered.Should().Be(HashSlot.Count);
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
    }

    private static NodeId RingPathsOf(RespClusterFixture.Node n) => n.Resp.Topology.Self;

    [Fact]
    public void Cluster_nodes_shards_info_keyslot_and_myid_report_the_real_placement()
    {
        var nodes = ((string)Server(2).Execute("CLUSTER", "NODES")!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        nodes.Should().HaveCount(3);
        nodes.Should().ContainSingle(l => l.Contains("myself,master") && l.Contains($":{cluster.Nodes[2].Port}@"));
        var info = (string)Server(0).Execute("CLUSTER", "INFO")!;
        info.Should().Contain("cluster_state:ok").And.Contain("cluster_slots_assigned:16384").And.Contain("cluster_known_nodes:3");
        info.Should().Contain($"cluster_current_epoch:{cluster.Nodes[0].Resp.Topology.Ring!.Epoch}");
        ((int)Server(0).Execute("CLUSTER", "KEYSLOT", "somekey")).Should().Be(HashSlot.Of("somekey")).And.Be(11058);
        ((string)Server(1).Execute("CLUSTER", "MYID")!).Should().Be(TopologySnapshot.IdOf(cluster.Nodes[1].Resp.Topology.Self));
        var shards = (RedisResult[])Server(0).Execute("CLUSTER", "SHARDS")!;
        shards.Should().HaveCountGreaterThanOrEqualTo(3, "each node leads some partitions");
    }

    [Fact]
    public async Task Set_and_get_go_to_every_primary_and_read_back_through_any_node()
    {
        var keys = Enumerable.Range(0, 60).Select(i => $"user:{i}").ToList();
        await Task.WhenAll(keys.Select(k => Db.StringSetAsync(k, $"value of {k}")));
        foreach (var k in keys) ((string?)await Db.StringGetAsync(k)).Should().Be($"value of {k}");
        // A plain connection to one node answers keys led by the others (forwarded inside the cluster).
        foreach (var node in cluster.Nodes)
        {
            using var plain = new RawRespClient(node.Port);
            foreach (var k in keys.Take(20)) plain.Call("GET", k).Should().Be($"${$"value of {k}".Length}\r\nvalue of {k}\r\n");
        }
        var primaries = keys.Select(k => cluster.Nodes[0].Resp.Topology.Ring![new Partitioner(RespClusterFixture.Partitions).PartitionOf(k)].Primary).Distinct();
        primaries.Should().HaveCount(3, "the keys have primaries on every node");
    }

    [Fact]
    public async Task Binary_values_round_trip()
    {
        var value = Enumerable.Range(0, 5000).Select(i => (byte)(i * 31)).ToArray();
        await Db.StringSetAsync("bin\r\n\0key", value);
        ((byte[]?)await Db.StringGetAsync("bin\r\n\0key")).Should().Equal(value);
    }

    [Fact]
    public async Task Mset_mget_del_unlink_exists_strlen_and_type()
    {
        await Db.StringSetAsync([new("{acct}:a", "1"), new("{acct}:b", "22"), new("{acct}:c", "333")]);
        var values = await Db.StringGetAsync(["{acct}:a", "{acct}:b", "{acct}:c", "{acct}:none"]);
        values.Select(v => (string?)v).Should().Equal("1", "22", "333", null);
        (await Db.KeyExistsAsync(["{acct}:a", "{acct}:b", "{acct}:none"])).Should().Be(2);
        (await Db.StringLengthAsync("{acct}:c")).Should().Be(3);
        (await Db.KeyTypeAsync("{acct}:c")).Should().Be(RedisType.String);
        (await Db.KeyTypeAsync("{acct}:none")).Should().Be(RedisType.None);
        (await Db.KeyDeleteAsync(["{acct}:a", "{acct}:none"])).Should().Be(1);
        (await Db.ExecuteAsync("UNLINK", "{acct}:b", "{acct}:c")).Should().Match<RedisResult>(r => (int)r == 2);
        (await Db.KeyExistsAsync(["{acct}:a", "{acct}:b", "{acct}:c"])).Should().Be(0);
    }

    [Fact]
    public void Keys_of_different_slots_in_one_command_are_crossslot()
    {
        using var plain = new RawRespClient(cluster.Nodes[0].Port);
        plain.Call("MSET", "a", "1", "b", "2").Should().Be("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        plain.Call("MGET", "a", "b").Should().Be("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        plain.Call("DEL", "a", "b").Should().Be("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
    }

    [Fact]
    public async Task Connection_commands_ping_echo_select_client_info_and_command()
    {
        (await Db.PingAsync()).Should().BeGreaterThan(TimeSpan.Zero);
        ((string?)await Db.ExecuteAsync("ECHO", "hi")).Should().Be("hi");
        var server = Server(0);
        ((string?)server.Execute("CLIENT", "GETNAME")).Should().NotBeNull("StackExchange.Redis names its connections");
        ((long)server.Execute("CLIENT", "ID")).Should().BePositive();
        server.Execute("SELECT", "0").ToString().Should().Be("OK");
        ((int)server.Execute("COMMAND", "COUNT")).Should().BeGreaterThan(30);
        var info = server.Info();
        // Keyspace is there but empty (no key count in the store yet), so the client's parser lists no group for it.
        info.Select(g => g.Key).Should().Contain(["Server", "Clients", "Stats", "Replication", "Cluster"]);
        info.Single(g => g.Key == "Replication").Should().Contain(p => p.Key == "kvactors_partitions_primary" && int.Parse(p.Value) > 0);
        server.Version.Should().Be(new Version(7, 2, 0));
        using var plain = new RawRespClient(cluster.Nodes[0].Port);
        plain.Call("SELECT", "3").Should().Be("-ERR SELECT is not allowed in cluster mode\r\n");
        plain.Call("NOPE", "x").Should().Be("-ERR unknown command 'NOPE', with args beginning with: 'x' \r\n");
        plain.Call("QUIT").Should().Be("+OK\r\n");
    }

    [Fact]
    public async Task A_resp3_client_works_through_hello_3()
    {
        await using var resp3 = await ConnectionMultiplexer.ConnectAsync(RespClusterFixture.Options(cluster.Nodes[1].Endpoint, RedisProtocol.Resp3));
        resp3.GetServers().Should().OnlyContain(s => s.Protocol == RedisProtocol.Resp3);
        var db = resp3.GetDatabase();
        await db.StringSetAsync("resp3:k", "v3");
        ((string?)await db.StringGetAsync("resp3:k")).Should().Be("v3");
        (await db.StringGetAsync("resp3:none")).IsNull.Should().BeTrue();
    }

    [Fact]
    public void Readonly_lets_a_replica_answer_on_that_connection()
    {
        using var writer = new RawRespClient(cluster.Nodes[0].Port);
        writer.Call("SET", "ro:key", "x").Should().Be("+OK\r\n");
        var ring = cluster.Nodes[0].Resp.Topology.Ring!;
        var set = ring[new Partitioner(ring.PartitionCount).PartitionOf("ro:key")];
        var replica = cluster.Nodes.First(n => n.Resp.Topology.Self != set.Primary);
        using var reader = new RawRespClient(replica.Port);
        reader.Call("READONLY").Should().Be("+OK\r\n");
        // A replica read may lag the primary's commit: it converges.
        KvActors.TestKit.Awaiting.AwaitAssert(() => reader.Call("GET", "ro:key").Should().Be("$1\r\nx\r\n"), TimeSpan.FromSeconds(10));
        reader.Call("READWRITE").Should().Be("+OK\r\n");
        reader.Call("GET", "ro:key").Should().Be("$1\r\nx\r\n");
    }

    /// <summary>
    /// Fault: four connections to one node send seeded random and mutated RESP frames (each connection may be closed by
    /// the node for a protocol error, and is then reopened). Invariant: meanwhile a well-behaved connection to the same
    /// node keeps writing and reading its keys, every answer right, and afterwards every key it wrote reads back.
    /// </summary>
    [Fact]
    public async Task Fuzzed_connections_do_not_disturb_a_well_behaved_one_or_the_data()
    {
        var target = cluster.Nodes[1];
        var random = new Random(0x5EED);
        var frames = Enumerable.Range(0, 400).Select(_ => FuzzFrame(random)).ToList();
        var fuzzers = Enumerable.Range(0, 4).Select(f => Task.Run(() =>
        {
            var closedByServer = 0;
            RawRespClient? connection = null;
            try
            {
                for (var i = f; i < frames.Count; i += 4)
                {
                    connection ??= new RawRespClient(target.Port, TimeSpan.FromSeconds(5));
                    try
                    {
                        connection.Send(frames[i]);
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        // closed by the node after a protocol error: a new connection for the next frame
                        connection.Dispose();
                        connection = null;
                        closedByServer++;
                    }
                }
            }
            finally
            {
                connection?.Dispose();
            }
            return closedByServer;
        })).ToList();

        using var good = new RawRespClient(target.Port);
        var written = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var key = $"fuzz-safe:{i}";
            good.Call("SET", key, $"v{i}").Should().Be("+OK\r\n");
            good.Call("GET", key).Should().Be($"${$"v{i}".Length}\r\nv{i}\r\n");
            written.Add(key);
        }
        await Task.WhenAll(fuzzers);
        good.Call("PING").Should().Be("+PONG\r\n");
        foreach (var key in written) ((string?)await Db.StringGetAsync(key)).Should().Be("v" + key.Split(':')[1]);
        target.Resp.Stats.TotalConnections.Should().BeGreaterThan(5);
    }

    /// <summary>A random frame: raw bytes, a mutated valid command, a huge length, an unbalanced inline line, or a valid command.</summary>
    private static byte[] FuzzFrame(Random random)
    {
        byte[] Valid() => Frames.MultiBulk("SET", $"fuzz:{random.Next(50)}", new string('x', random.Next(0, 40)));
        switch (random.Next(6))
        {
            case 0:
                var bytes = new byte[random.Next(1, 200)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                var frame = Valid();
                for (var i = 0; i < 3; i++) frame[random.Next(frame.Length)] = (byte)"*$\r\n-0x\" "[random.Next(9)];
                return frame;
            case 2:
                return Encoding.ASCII.GetBytes($"*1\r\n${random.NextInt64(1L << 40)}\r\n");
            case 3:
                return Encoding.ASCII.GetBytes("SET \"unbalanced value\r\n");
            case 4:
                return Encoding.ASCII.GetBytes($"*{random.Next(-5, 3_000_000)}\r\n");
            default:
                return Valid();
        }
    }
}
