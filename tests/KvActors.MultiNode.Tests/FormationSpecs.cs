using Akka.Cluster;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

public sealed class FormationSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    /// <summary>
    /// Fault: none (n nodes join the first). Invariant: every node converges on the same
    /// membership (same incarnations, all Up, none unreachable), the same leader (the lowest
    /// address, as Akka defines it) and the same oldest member (where singletons run).
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Nodes_form_one_cluster_with_one_leader_and_one_oldest(int count)
    {
        var nodes = Harness.StartCluster(count);

        var lowest = nodes.Select(n => n.Address).OrderBy(a => a, Member.AddressOrdering).First();
        Harness.AwaitOn(nodes, n => Equals(n.Cluster.State.Leader, lowest), $"the leader is the lowest address {lowest}");
        var expected = nodes.Select(n => n.UniqueAddress).OrderBy(a => a.Address, Member.AddressOrdering).ToList();
        foreach (var n in nodes)
        {
            n.Members.Select(m => m.UniqueAddress).Should().Equal(expected, $"{n} sees every incarnation once");
            n.Cluster.SelfMember.Status.Should().Be(MemberStatus.Up);
        }
        var oldest = nodes.Select(n => n.Members.OrderBy(m => m, Member.AgeOrdering).First().UniqueAddress).Distinct();
        oldest.Should().ContainSingle("every node agrees on the oldest member");
    }
}
