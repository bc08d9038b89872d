using KvActors.Store.Partitioning;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Partitioning;

public sealed class HandOverChainTests
{
    private static readonly NodeId A = Member(1), B = Member(2), C = Member(3);

    [Fact]
    public void Finds_a_chain_through_a_middle_node_when_the_ends_share_no_partition()
    {
        var count = new Dictionary<NodeId, int> { [A] = 3, [B] = 2, [C] = 1 };
        IEnumerable<(int, NodeId)> HandOvers(NodeId from) =>
            from == A ? [(7, B)] : from == B ? [(9, C)] : [];

        var chain = HandOverChain.Find([A, B, C], [A, B, C], count, HandOvers);

        chain.Should().Equal(new HandOverChain.Step(7, A, B), new HandOverChain.Step(9, B, C));
    }

    [Fact]
    public void Prefers_a_direct_hand_over_to_a_chain()
    {
        var count = new Dictionary<NodeId, int> { [A] = 3, [B] = 2, [C] = 1 };
        IEnumerable<(int, NodeId)> HandOvers(NodeId from) =>
            from == A ? [(7, B), (8, C)] : from == B ? [(9, C)] : [];

        HandOverChain.Find([A, B, C], [A, B, C], count, HandOvers).Should().Equal(new HandOverChain.Step(8, A, C));
    }

    [Fact]
    public void Finds_nothing_when_counts_are_within_one_or_no_hand_over_reaches_a_lighter_node()
    {
        var even = new Dictionary<NodeId, int> { [A] = 2, [B] = 2, [C] = 1 };
        HandOverChain.Find([A, B, C], [A, B, C], even, _ => [(1, C)]).Should().BeNull();

        var uneven = new Dictionary<NodeId, int> { [A] = 4, [B] = 3, [C] = 1 };
        HandOverChain.Find([A, B, C], [A, B, C], uneven, from => from == A ? [(1, B)] : []).Should().BeNull();
    }
}
