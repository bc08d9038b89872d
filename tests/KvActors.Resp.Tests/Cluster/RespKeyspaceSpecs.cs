using System.Net;
using KvActors.Resp.Tests.Server;
using KvActors.Store.Partitioning;
using StackExchange.Redis;

namespace KvActors.Resp.Tests.Cluster;

/// <summary>DBSIZE, SCAN and FLUSHALL against the 3-node in-process cluster (the same fixture as the other specs).</summary>
public sealed partial class RespClusterSpecs
{
    private static string[] Strings(RedisResult result) => ((RedisResult[])result!).Select(r => (string)r!).ToArray();

    /// <summary>
    /// Fault: none. Invariant: each node's SCAN returns the keys of the partitions it leads; together the nodes return
    /// every key once, and the nodes' DBSIZEs add up to the keys they scan.
    /// </summary>
    [Fact]
    public async Task Scan_and_dbsize_are_per_node_and_together_cover_every_key()
    {
        var keys = Enumerable.Range(0, 300).Select(i => $"scan:{i}").ToList();
        await Task.WhenAll(keys.Select(k => Db.StringSetAsync(k, "v")));

        // The invariant holds for one ring: a primary that moves between two nodes' scans (a replica reported silent on a
        // loaded machine, then taken back) is scanned on both. Such a scan is done again.
        KvActors.TestKit.Awaiting.AwaitAssert(() =>
        {
            var ring = cluster.Nodes[0].Resp.Topology.Ring!;
            var perNode = cluster.Nodes.Select((_, i) => Server(i).Keys(pattern: "scan:*", pageSize: 7).Select(k => (string)k!).ToList()).ToList();
            cluster.Nodes.Should().OnlyContain(n => n.Resp.Topology.Ring!.Epoch == ring.Epoch, "the ring did not change during the scans");

            perNode.SelectMany(k => k).Order(StringComparer.Ordinal).Should().Equal(keys.Order(StringComparer.Ordinal), "every key once, over all nodes");
            perNode.Should().OnlyContain(k => k.Count > 0, "every node leads some partitions");
            var partitioner = new Partitioner(ring.PartitionCount);
            for (var i = 0; i < perNode.Count; i++)
                perNode[i].Should().OnlyContain(k => ring[partitioner.PartitionOf(k)].Primary == cluster.Nodes[i].Resp.Topology.Self, $"node {i + 1} scans the partitions it leads");
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));

        // Nothing else writes meanwhile (the specs of one class run one at a time): the counts agree with full scans.
        KvActors.TestKit.Awaiting.AwaitAssert(() =>
        {
            var total = cluster.Nodes.Select((_, i) => Server(i).DatabaseSize()).Sum();
            var scanned = cluster.Nodes.Select((_, i) => Server(i).Keys(pageSize: 100).Count()).Sum();
            total.Should().Be(scanned).And.BeGreaterThanOrEqualTo(keys.Count);
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// Fault: keys are written and deleted between the calls of a scan. Invariant: every key present for the whole scan
    /// is returned (Redis's SCAN guarantee), the cursor ends at 0, and COUNT bounds each reply.
    /// </summary>
    [Fact]
    public void Keys_present_for_a_whole_scan_are_returned_while_others_come_and_go()
    {
        using var plain = new RawRespClient(cluster.Nodes[0].Port);
        var stable = Enumerable.Range(0, 150).Select(i => $"scanmove:stable:{i}").ToList();
        var churn = Enumerable.Range(0, 50).Select(i => $"scanmove:churn:{i}").ToList();
        foreach (var key in stable.Concat(churn)) Db.StringSet(key, "v");

        var seen = new List<string>();
        var cursor = "0";
        var calls = 0;
        do
        {
            var reply = (RedisResult[])Server(0).Execute("SCAN", cursor, "MATCH", "scanmove:*", "COUNT", "5")!;
            cursor = (string)reply[0]!;
            var page = Strings(reply[1]);
            page.Length.Should().BeLessThanOrEqualTo(5);
            seen.AddRange(page);
            // Between calls: one churn key deleted and a new key written (through other nodes).
            Db.KeyDelete(churn[calls % churn.Count]);
            Db.StringSet($"scanmove:new:{calls}", "v");
            (++calls).Should().BeLessThan(5000, "a scan ends");
        }
        while (cursor != "0");

        var ring = cluster.Nodes[0].Resp.Topology.Ring!;
        var partitioner = new Partitioner(ring.PartitionCount);
        var led = stable.Where(k => ring[partitioner.PartitionOf(k)].Primary == cluster.Nodes[0].Resp.Topology.Self).ToList();
        led.Should().NotBeEmpty();
        led.Except(seen).Should().BeEmpty("every key present for the whole scan is returned");
        calls.Should().BeGreaterThan(5, "the scan took several calls, with writes between them");
    }

    /// <summary>Fault: FLUSHALL on a node where it is off, then on one where it is on. Invariant: the first changes nothing; the second empties every node.</summary>
    [Fact]
    public async Task Flushall_is_refused_where_disabled_and_empties_the_cluster_where_enabled()
    {
        var keys = Enumerable.Range(0, 100).Select(i => $"flush:{i}").ToList();
        await Task.WhenAll(keys.Select(k => Db.StringSetAsync(k, "v")));

        FluentActions.Invoking(() => Server(0).Execute("FLUSHALL")).Should().Throw<RedisServerException>()
            .WithMessage("ERR FLUSHALL is disabled on this node (kvactors.resp.flushall-enabled = off)");
        (await Db.KeyExistsAsync(keys.Select(k => (RedisKey)k).Take(1).ToArray())).Should().Be(1);

        Server(2).FlushAllDatabases();

        cluster.Nodes.Select((_, i) => Server(i).DatabaseSize()).Should().OnlyContain(n => n == 0);
        foreach (var key in keys) (await Db.KeyExistsAsync(key)).Should().BeFalse();
        await Db.StringSetAsync("flush:after", "1");
        ((string?)await Db.StringGetAsync("flush:after")).Should().Be("1", "the cluster takes writes after FLUSHALL");
    }
}
