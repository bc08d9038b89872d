using static KvActors.Cluster.Tests.TestNodes;

namespace KvActors.Cluster.Tests;

public sealed class LeaderActionsTests
{
    private static readonly LeaderSettings Settings = new() { MinNrOfMembers = 1, WeaklyUpAfter = TimeSpan.FromSeconds(7) };

    [Fact]
    public void On_convergence_joining_become_up_with_increasing_up_numbers_in_address_order()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up, 1), M(2, MemberStatus.Up, 2), M(5, MemberStatus.Joining), M(3, MemberStatus.Joining), M(4, MemberStatus.WeaklyUp)]).SeenByAll();
        var after = LeaderActions.Perform(new MembershipState(g, Node(1)), Settings, 100, out var changes);
        after.GetMember(Node(3)).Should().Be(M(3, MemberStatus.Up, 3));
        after.GetMember(Node(4)).UpNumber.Should().Be(4);
        after.GetMember(Node(5)).UpNumber.Should().Be(5);
        changes.Select(c => (c.Before.UniqueAddress, c.To)).Should().Equal((Node(3), MemberStatus.Up), (Node(4), MemberStatus.Up), (Node(5), MemberStatus.Up));
        after.Version.Compare(g.Version).Should().Be(VectorClock.Ordering.After);
        after.Overview.Seen.Should().BeEquivalentTo([Node(1)]);
    }

    [Fact]
    public void Nothing_without_convergence_or_leadership_or_enough_members()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Joining)]);
        LeaderActions.Perform(new MembershipState(g.Seen(Node(1)), Node(1)), Settings, 0, out var c1).Should().Be(g.Seen(Node(1)));
        c1.Should().BeEmpty();
        LeaderActions.Perform(new MembershipState(g.SeenByAll(), Node(2)), Settings, 0, out var c2);
        c2.Should().BeEmpty("node 2 is not the leader");
        var joining = Gossip.Create([M(1, MemberStatus.Joining), M(2, MemberStatus.Joining)]).SeenByAll();
        LeaderActions.Perform(new MembershipState(joining, Node(1)), Settings with { MinNrOfMembers = 3 }, 0, out var c3);
        c3.Should().BeEmpty();
        LeaderActions.Perform(new MembershipState(joining, Node(1)), Settings with { MinNrOfMembers = 2 }, 0, out var c4);
        c4.Should().HaveCount(2);
    }

    [Fact]
    public void Leaving_becomes_exiting_and_exiting_and_down_are_removed()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Leaving), M(3, MemberStatus.Exiting), M(4, MemberStatus.Down)])
            .WithReachability(Reachability.Empty.Unreachable(Node(1), Node(4))).SeenByAll();
        var after = LeaderActions.Perform(new MembershipState(g, Node(1)), Settings, 1234, out var changes);
        after.GetMember(Node(2)).Status.Should().Be(MemberStatus.Exiting);
        after.HasMember(Node(3)).Should().BeFalse();
        after.HasMember(Node(4)).Should().BeFalse();
        after.Tombstones.Should().ContainKeys(Node(3), Node(4));
        after.Tombstones[Node(3)].Should().Be(1234);
        after.Overview.Reachability.IsAllReachable.Should().BeTrue();
        changes.Where(c => c.To == MemberStatus.Removed).Select(c => c.Before.UniqueAddress).Should().Equal(Node(3), Node(4));
    }

    [Fact]
    public void Weakly_up_after_the_configured_time_without_convergence()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Up), M(3, MemberStatus.Joining), M(4, MemberStatus.Joining)])
            .WithReachability(Reachability.Empty.Unreachable(Node(1), Node(2)).Unreachable(Node(1), Node(4))).Seen(Node(1));
        var s = new MembershipState(g, Node(1));
        LeaderActions.PerformWeaklyUp(s, Settings, 6_999, 0, out var early).Should().BeSameAs(g);
        early.Should().BeEmpty();
        var after = LeaderActions.PerformWeaklyUp(s, Settings, 7_000, 0, out var changes);
        after.GetMember(Node(3)).Status.Should().Be(MemberStatus.WeaklyUp);
        after.GetMember(Node(4)).Status.Should().Be(MemberStatus.Joining, "unreachable joining members stay joining");
        changes.Should().ContainSingle();
        LeaderActions.PerformWeaklyUp(s, Settings with { WeaklyUpAfter = null }, 100_000, 0, out var off);
        off.Should().BeEmpty();
    }
}
