using KvActors.Cluster;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>Fault: none. Invariant: every node converges on the same membership, all Up, one leader.</summary>
public sealed class FormationSpecs(ITestOutputHelper output) : SpecBase(output)
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Nodes_form_one_cluster_with_one_leader(int count)
    {
        var nodes = Harness.StartCluster(count);
        var leaders = nodes.Select(n => n.Cluster.State.Leader).Distinct().ToList();
        leaders.Should().ContainSingle().Which.Should().Be(nodes.Select(n => n.Address).Min()!, "the leader is the first Up member by address");
        var upNumbers = nodes[0].Cluster.State.Members.Select(m => m.UpNumber).ToList();
        upNumbers.Should().OnlyHaveUniqueItems();
        foreach (var n in nodes)
            n.Cluster.State.Members.Select(m => (m.UniqueAddress, m.UpNumber)).Should().Equal(nodes[0].Cluster.State.Members.Select(m => (m.UniqueAddress, m.UpNumber)));
    }
}
