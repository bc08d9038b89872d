using KvActors.Store.Partitioning;
using KvActors.Store.Ring;

namespace KvActors.Store.Tests.Ring;

public sealed class RingQuorumTests
{
    private static NodeId N(string value) => new(value);

    private static bool Met(IEnumerable<string> nodes, params string[] answered) =>
        RingQuorum.IsMet(nodes.Select(N).ToList(), n => answered.Contains(n.Value));

    [Fact]
    public void More_than_half_is_a_quorum_and_less_is_not()
    {
        string[] five = ["h:1", "h:2", "h:3", "h:4", "h:5"];
        Met(five, "h:3", "h:4", "h:5").Should().BeTrue();
        Met(five, "h:1", "h:2").Should().BeFalse();
        Met(five, "h:1", "h:2", "x:9").Should().BeFalse("a node outside the set does not count");
        Met([], []).Should().BeTrue("an empty set (no ring yet) needs nobody");
    }

    [Fact]
    public void Exactly_half_is_a_quorum_when_it_holds_the_lowest_address_as_Akkas_keep_majority_decides()
    {
        string[] four = ["h:4053", "h:4054", "h:4055", "h:4056"];
        Met(four, "h:4053", "h:4056").Should().BeTrue();
        Met(four, "h:4054", "h:4055").Should().BeFalse();
        Met(["h:1", "h:2"], "h:1").Should().BeTrue("of two nodes the lowest alone goes on, as the resolver keeps it");
        Met(["h:1", "h:2"], "h:2").Should().BeFalse();
    }

    [Fact]
    public void The_lowest_address_orders_hosts_ordinally_then_ports_as_numbers()
    {
        // Ordinally "h:10000" < "h:9999"; Akka orders the port as a number, so h:9999 is the lowest.
        Met(["h:9999", "h:10000"], "h:9999").Should().BeTrue();
        Met(["h:9999", "h:10000"], "h:10000").Should().BeFalse();
        Met(["b:1", "a:2"], "a:2").Should().BeTrue();
    }

    [Fact]
    public void Any_two_quorums_of_one_set_meet()
    {
        // Exhaustive over every pair of subsets of sets of 1 to 6 nodes: the property the ring's publication rests on.
        for (var size = 1; size <= 6; size++)
        {
            var nodes = Enumerable.Range(1, size).Select(i => N($"h:{i}")).ToList();
            var quorums = Enumerable.Range(0, 1 << size)
                .Select(mask => nodes.Where((_, i) => (mask >> i & 1) == 1).ToHashSet())
                .Where(set => RingQuorum.IsMet(nodes, set.Contains)).ToList();
            foreach (var q1 in quorums)
            foreach (var q2 in quorums)
                q1.Overlaps(q2).Should().BeTrue($"quorums {string.Join(",", q1)} and {string.Join(",", q2)} of {size} nodes");
        }
    }
}
