using KvActors.Resp.Tests.Server;
using KvActors.Store.Partitioning;

namespace KvActors.Resp.Tests.Cluster;

/// <summary>
/// Fault: the primary of a key with a TTL crashes (its actor system stops at once). Invariant: a survivor answers for
/// the key once an in-sync replica took over, with the same expiry (replicated with the value), a counter keeps every
/// acknowledged increment, and a short TTL set before the crash still expires afterwards.
/// </summary>
public sealed class RespFailoverSpecs(RespClusterFixture cluster) : IClassFixture<RespClusterFixture>
{
    private static readonly TimeSpan FailoverDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_ttl_and_a_counter_survive_a_primary_failover()
    {
        var ring = cluster.Nodes[0].Resp.Topology.Ring!;
        var partitioner = new Partitioner(ring.PartitionCount);
        var victim = cluster.Nodes.First(n => n.Resp.Topology.Self == ring[partitioner.PartitionOf("fo:ttl")].Primary);
        // {fo:ttl} keeps all three keys in the victim's partition.
        var survivor = cluster.Nodes.First(n => n != victim);
        using (var before = new RawRespClient(survivor.Port))
        {
            before.Call("SET", "fo:ttl", "v", "EX", "3600").Should().Be("+OK\r\n");
            before.Call("SET", "{fo:ttl}short", "v", "PX", "3000").Should().Be("+OK\r\n");
            for (var i = 1; i <= 5; i++)
                before.Call("INCR", "{fo:ttl}n").Should().Be($":{i}\r\n");
        }

        await victim.Cluster.System.Terminate().WaitAsync(TimeSpan.FromSeconds(30));

        KvActors.TestKit.Awaiting.AwaitAssert(() =>
        {
            using var after = new RawRespClient(survivor.Port);
            var ttl = after.Call("TTL", "fo:ttl");
            ttl.Should().StartWith(":").And.NotBe(":-1\r\n").And.NotBe(":-2\r\n");
            long.Parse(ttl[1..].Trim()).Should().BeInRange(3000, 3600);
            after.Call("INCR", "{fo:ttl}n").Should().Be(":6\r\n", "the five acknowledged increments survived");
        }, FailoverDeadline, TimeSpan.FromMilliseconds(500));
        KvActors.TestKit.Awaiting.AwaitAssert(() =>
        {
            using var after = new RawRespClient(survivor.Port);
            after.Call("GET", "{fo:ttl}short").Should().Be("$-1\r\n");
        }, FailoverDeadline, TimeSpan.FromMilliseconds(200));
    }
}
