using KvActors.Remote;
using static KvActors.Cluster.Tests.TestNodes;

namespace KvActors.Cluster.Tests;

public sealed class HeartbeatNodeRingTests
{
    private static readonly UniqueAddress[] Nodes = Enumerable.Range(0, 10).Select(Node).ToArray();

    [Fact]
    public void Everyone_monitors_everyone_when_few()
    {
        var ring = new HeartbeatNodeRing(Nodes[0], Nodes.Take(5), new HashSet<UniqueAddress>(), 9);
        ring.MyReceivers.Should().BeEquivalentTo(Nodes[1..5]);
    }

    [Fact]
    public void Receivers_are_the_next_n_on_the_ring_and_spread_the_load()
    {
        var ring = new HeartbeatNodeRing(Nodes[0], Nodes, new HashSet<UniqueAddress>(), 3);
        var order = ring.Nodes;
        foreach (var n in Nodes)
        {
            var i = order.ToList().IndexOf(n);
            ring.Receivers(n).Should().BeEquivalentTo(new[] { order[(i + 1) % 10], order[(i + 2) % 10], order[(i + 3) % 10] });
        }
        // Every node is monitored by exactly 3 others.
        Nodes.SelectMany(ring.Receivers).GroupBy(x => x).Select(g => g.Count()).Should().AllBeEquivalentTo(3);
        new HeartbeatNodeRing(Nodes[5], Nodes, new HashSet<UniqueAddress>(), 3).Nodes.Should().Equal(order, "the ring is the same on every node");
    }

    [Fact]
    public void Unreachable_nodes_are_monitored_without_counting_until_n_are_picked()
    {
        var order = new HeartbeatNodeRing(Nodes[0], Nodes, new HashSet<UniqueAddress>(), 3).Nodes;
        var self = order[0];
        var unreachable = new HashSet<UniqueAddress> { order[1], order[3] };
        var ring = new HeartbeatNodeRing(self, Nodes, unreachable, 3);
        ring.MyReceivers.Should().BeEquivalentTo(new[] { order[1], order[2], order[3], order[4], order[5] });
        var manyDown = new HashSet<UniqueAddress>(order.Skip(1).Take(4));
        new HeartbeatNodeRing(self, Nodes, manyDown, 3).MyReceivers
            .Should().BeEquivalentTo(new[] { order[1], order[2], order[3], order[5], order[6], order[7] }.Take(3).Concat([order[5], order[6], order[7]]));
    }
}
