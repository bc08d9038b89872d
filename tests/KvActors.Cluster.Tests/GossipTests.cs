using KvActors.Remote;
using static KvActors.Cluster.Tests.TestNodes;

namespace KvActors.Cluster.Tests;

public sealed class GossipTests
{
    [Fact]
    public void Seen_update_remove_and_tombstones()
    {
        var g = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Up)]).IncrementVersion(Node(1)).Seen(Node(1));
        g.SeenByNode(Node(1)).Should().BeTrue();
        g.OnlySeen(Node(2)).Overview.Seen.Should().BeEquivalentTo([Node(2)]);
        g.GetMember(Node(2)).Status.Should().Be(MemberStatus.Up);
        g.Invoking(x => x.GetMember(Node(9))).Should().Throw<KeyNotFoundException>();

        var r = g.WithReachability(g.Overview.Reachability.Unreachable(Node(1), Node(2))).IncrementVersion(Node(2)).Seen(Node(2))
            .Remove(Node(2), nowMs: 1000);
        r.HasMember(Node(2)).Should().BeFalse();
        r.Tombstones[Node(2)].Should().Be(1000);
        r.Overview.Reachability.IsAllReachable.Should().BeTrue();
        r.SeenByNode(Node(2)).Should().BeFalse();
        r.Version.Versions.Should().NotContainKey(VectorClock.NodeId(Node(2)));
        r.Update(M(2, MemberStatus.Up)).HasMember(Node(2)).Should().BeFalse("a tombstoned uid never comes back");
        r.PruneTombstones(1001).Tombstones.Should().BeEmpty();
        r.PruneTombstones(1000).Tombstones.Should().ContainKey(Node(2));
    }

    [Fact]
    public void Merge_picks_the_highest_status_and_drops_tombstoned_members()
    {
        var a = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Up), M(3, MemberStatus.Joining)]).IncrementVersion(Node(1));
        var b = Gossip.Create([M(1, MemberStatus.Up), M(2, MemberStatus.Down), M(3, MemberStatus.Up, 3)]).IncrementVersion(Node(2))
            .Remove(Node(1), 5);
        var m = Gossip.Merge(a, b);
        m.HasMember(Node(1)).Should().BeFalse();
        m.GetMember(Node(2)).Status.Should().Be(MemberStatus.Down);
        m.GetMember(Node(3)).Status.Should().Be(MemberStatus.Up);
        m.Overview.Seen.Should().BeEmpty();
        m.Version.Compare(b.Version).Should().Be(VectorClock.Ordering.Same, "a's only entry is the removed node's, which is pruned");
        m.Version.Versions.Should().NotContainKey(VectorClock.NodeId(Node(1)));
    }

    /// <summary>Random well-formed gossips over 6 nodes: members, reachability among them, tombstones, versions.</summary>
    internal static Gossip RandomGossip(Random rnd)
    {
        var statuses = Enum.GetValues<MemberStatus>().Where(s => s != MemberStatus.Removed).ToArray();
        var g = Gossip.Empty;
        for (var i = 0; i < 6; i++)
        {
            var roll = rnd.Next(4);
            if (roll == 0) continue;
            if (roll == 1 && rnd.Next(3) == 0) { g = g.Remove(Node(i), rnd.Next(100)); continue; }
            var st = statuses[rnd.Next(statuses.Length)];
            g = g.Update(M(i, st, rnd.Next(1, 4), rnd.Next(2) == 0 ? ["a"] : []));
        }
        var members = g.Members.Select(m => m.UniqueAddress).ToList();
        var r = Reachability.Empty;
        for (var k = 0; k < rnd.Next(0, 6) && members.Count > 1; k++)
        {
            var o = members[rnd.Next(members.Count)];
            var s = members[rnd.Next(members.Count)];
            r = rnd.Next(3) switch { 0 => r.Unreachable(o, s), 1 => r.Reachable(o, s), _ => r.Terminated(o, s) };
        }
        g = g.WithReachability(r);
        foreach (var m in members)
            for (var k = rnd.Next(3); k > 0; k--) g = g.IncrementVersion(m);
        foreach (var m in members)
            if (rnd.Next(2) == 0) g = g.Seen(m);
        return g;
    }

    private static bool SameState(Gossip x, Gossip y) =>
        x.Members.SequenceEqual(y.Members) && x.Overview.Reachability.Equals(y.Overview.Reachability)
        && x.Version.Equals(y.Version) && x.Tombstones.Keys.SequenceEqual(y.Tombstones.Keys);

    [Fact]
    public void Merge_is_commutative_associative_and_idempotent()
    {
        var rnd = new Random(4711);
        for (var i = 0; i < 3000; i++)
        {
            var (a, b, c) = (RandomGossip(rnd), RandomGossip(rnd), RandomGossip(rnd));
            var ab = Gossip.Merge(a, b);
            SameState(ab, Gossip.Merge(b, a)).Should().BeTrue($"commutative (case {i}):\n{a}\n{b}");
            SameState(Gossip.Merge(ab, c), Gossip.Merge(a, Gossip.Merge(b, c))).Should().BeTrue($"associative (case {i})");
            SameState(Gossip.Merge(a, a), a).Should().BeTrue($"idempotent (case {i}): {a}");
            SameState(Gossip.Merge(ab, a), ab).Should().BeTrue($"absorbs (case {i})");
        }
    }

    [Fact]
    public void Highest_priority_of_follows_status_precedence()
    {
        var order = new[] { MemberStatus.Joining, MemberStatus.WeaklyUp, MemberStatus.Up, MemberStatus.Leaving, MemberStatus.Exiting, MemberStatus.Down, MemberStatus.Removed };
        for (var i = 0; i < order.Length; i++)
        for (var j = 0; j < order.Length; j++)
        {
            var a = M(1, order[i], 1);
            var b = M(1, order[j], 1);
            Gossip.HighestPriorityOf(a, b).Status.Should().Be(order[Math.Max(i, j)]);
        }
        Gossip.HighestPriorityOf(M(1, MemberStatus.Up, 4), M(1, MemberStatus.Up, 2)).UpNumber.Should().Be(2);
    }
}
