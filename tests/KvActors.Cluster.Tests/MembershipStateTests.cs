using static KvActors.Cluster.Tests.TestNodes;

namespace KvActors.Cluster.Tests;

public sealed class MembershipStateTests
{
    private static MembershipState S(Gossip g, int self = 1) => new(g, Node(self));

    [Fact]
    public void Convergence_when_everyone_has_seen()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Up), M(3, MemberStatus.Joining)]);
        S(g).Convergence().Should().BeFalse();
        S(g.Seen(Node(1)).Seen(Node(2))).Convergence().Should().BeFalse("the joining member has not seen");
        S(g.SeenByAll()).Convergence().Should().BeTrue();
        S(g.Seen(Node(1)).Seen(Node(2))).Convergence(new HashSet<Remote.UniqueAddress> { Node(3) }).Should().BeTrue("exiting confirmed counts as seen");
    }

    [Fact]
    public void Unreachable_members_block_convergence_unless_down_or_exiting()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Up), M(3, MemberStatus.Up)]);
        var r = Reachability.Empty.Unreachable(Node(1), Node(3));
        var seen12 = g.WithReachability(r).Seen(Node(1)).Seen(Node(2));
        S(seen12).Convergence().Should().BeFalse();
        S(seen12.Update(M(3, MemberStatus.Down))).Convergence().Should().BeTrue();
        S(seen12.Update(M(3, MemberStatus.Exiting))).Convergence().Should().BeTrue();
        // An observation made by a Down member does not count.
        var byDown = g.Update(M(2, MemberStatus.Down)).WithReachability(Reachability.Empty.Unreachable(Node(2), Node(3))).SeenByAll();
        S(byDown).Convergence().Should().BeTrue();
    }

    [Fact]
    public void Leader_is_the_first_reachable_up_member_by_address_and_deterministic()
    {
        var g = Gossip.Create([M(3, MemberStatus.Up), M(1, MemberStatus.Joining), M(2, MemberStatus.Up), M(4, MemberStatus.Up)]);
        S(g).Leader.Should().Be(Node(2));
        S(g, self: 4).Leader.Should().Be(Node(2), "every node computes the same leader from the same gossip");
        S(g.WithReachability(Reachability.Empty.Unreachable(Node(3), Node(2)))).Leader.Should().Be(Node(3));
        S(g.Update(M(2, MemberStatus.Down))).Leader.Should().Be(Node(3));
        S(g.Update(M(2, MemberStatus.Leaving))).Leader.Should().Be(Node(2));
        var joiningOnly = Gossip.Create([M(2, MemberStatus.Joining), M(1, MemberStatus.Joining)]);
        S(joiningOnly).Leader.Should().Be(Node(1));
        S(g).IsLeader(Node(2)).Should().BeTrue();
        S(Gossip.Create([M(1, MemberStatus.Up, 1, "a"), M(2, MemberStatus.Up, 2, "b"), M(3, MemberStatus.Up, 3, "b")])).RoleLeader("b").Should().Be(Node(2));
    }

    [Fact]
    public void Gossip_targets_prefer_members_that_have_not_seen()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Up), M(3, MemberStatus.Up), M(4, MemberStatus.Up)])
            .Seen(Node(1)).Seen(Node(2)).Seen(Node(3))
            .WithReachability(Reachability.Empty.Unreachable(Node(1), Node(3)));
        var s = S(g);
        s.ValidNodeForGossip(Node(1)).Should().BeFalse();
        s.ValidNodeForGossip(Node(3)).Should().BeFalse();
        s.ValidNodeForGossip(Node(2)).Should().BeTrue();
        s.PreferredGossipTarget(new Random(1), differentViewProbability: 1.0).Should().Be(Node(4));
        s.GossipTargets(new Random(1)).Should().Equal(Node(4), Node(2));
        var counts = Enumerable.Range(0, 1000).Select(i => s.PreferredGossipTarget(new Random(i))).GroupBy(x => x).ToDictionary(x => x.Key!, x => x.Count());
        counts[Node(4)].Should().BeGreaterThan(800);
        S(Gossip.Create([M(1, MemberStatus.Up)])).PreferredGossipTarget(new Random(1)).Should().BeNull();
    }

    [Fact]
    public void Oldest_and_youngest()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up, 3, "a"), M(2, MemberStatus.Up, 1), M(3, MemberStatus.Joining, roles: "a"), M(4, MemberStatus.Up, 2, "a")]);
        S(g).Oldest()!.UniqueAddress.Should().Be(Node(2));
        S(g).Oldest("a")!.UniqueAddress.Should().Be(Node(4));
        S(g).Youngest()!.UniqueAddress.Should().Be(Node(3));
        S(g).MaxUpNumber.Should().Be(3);
    }
}
