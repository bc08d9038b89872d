using KvActors.Cluster.SplitBrain;
using KvActors.Remote;
using static KvActors.Cluster.Tests.TestNodes;

namespace KvActors.Cluster.Tests;

public sealed class SplitBrainTests
{
    /// <summary>A view from node <paramref name="self"/> of members 1..n (Up, upNumber = index) where self sees <paramref name="unreachable"/> unreachable.</summary>
    private static ClusterView View(int self, int n, int[] unreachable, Func<int, Member>? member = null)
    {
        var members = Enumerable.Range(1, n).Select(i => member?.Invoke(i) ?? M(i, MemberStatus.Up, i));
        var r = unreachable.Aggregate(Reachability.Empty, (acc, u) => acc.Unreachable(Node(self), Node(u)));
        return new ClusterView(Node(self), members, r);
    }

    private static int[] Ids(IEnumerable<UniqueAddress> nodes) => nodes.Select(u => u.Address.Port!.Value - 2550).Order().ToArray();

    [Theory]
    // self, members, unreachable, expected decision
    [InlineData(1, 5, new[] { 4, 5 }, Decision.DownUnreachable)]
    [InlineData(4, 5, new[] { 1, 2, 3 }, Decision.DownReachable)]
    [InlineData(1, 4, new[] { 3, 4 }, Decision.DownUnreachable)]   // tie: side with lowest address (1) survives
    [InlineData(3, 4, new[] { 1, 2 }, Decision.DownReachable)]     // tie: the other side has node 1
    [InlineData(2, 2, new[] { 1 }, Decision.DownReachable)]
    [InlineData(1, 2, new[] { 2 }, Decision.DownUnreachable)]
    public void Keep_majority(int self, int n, int[] unreachable, Decision expected) =>
        new KeepMajority().Decide(View(self, n, unreachable)).Should().Be(expected);

    [Fact]
    public void Keep_majority_does_not_count_joining_members_and_respects_role()
    {
        // 1,2 Up on this side; 3 Up + 4,5 Joining on the other: 2 vs 1 counted.
        var view = View(1, 5, [3, 4, 5], i => i >= 4 ? M(i, MemberStatus.Joining) : M(i, MemberStatus.Up, i));
        new KeepMajority().Decide(view).Should().Be(Decision.DownUnreachable);
        new KeepMajority().NodesToDown(view).Should().BeEquivalentTo([Node(3), Node(4), Node(5)]);
        // With role "r" only on 3,4,5 (Up): the other side is the majority.
        var roles = View(1, 5, [3, 4, 5], i => M(i, MemberStatus.Up, i, i >= 3 ? ["r"] : []));
        new KeepMajority("r").Decide(roles).Should().Be(Decision.DownReachable);
        Ids(new KeepMajority("r").NodesToDown(roles)).Should().Equal(1, 2);
    }

    [Theory]
    [InlineData(1, 5, 3, new[] { 4, 5 }, Decision.DownUnreachable)]
    [InlineData(4, 5, 3, new[] { 1, 2, 3 }, Decision.DownReachable)]
    [InlineData(1, 5, 3, new[] { 2, 3, 4 }, Decision.DownReachable)]   // 2 < quorum 3
    [InlineData(1, 6, 3, new[] { 5 }, Decision.DownAll)]               // 6 > 3 * 2 - 1 members
    public void Static_quorum(int self, int n, int quorum, int[] unreachable, Decision expected) =>
        new StaticQuorum(quorum).Decide(View(self, n, unreachable)).Should().Be(expected);

    [Theory]
    // downIfAlone, self, members, unreachable, expected (node 1 is oldest)
    [InlineData(false, 1, 5, new[] { 2, 3, 4, 5 }, Decision.DownUnreachable)] // oldest alone keeps running
    [InlineData(true, 1, 5, new[] { 2, 3, 4, 5 }, Decision.DownReachable)]    // oldest alone downs itself
    [InlineData(true, 2, 5, new[] { 1 }, Decision.DownUnreachable)]           // ...and the rest down it
    [InlineData(false, 2, 5, new[] { 1 }, Decision.DownReachable)]
    [InlineData(true, 3, 5, new[] { 1, 2 }, Decision.DownReachable)]          // oldest side (1,2) survives
    [InlineData(true, 1, 5, new[] { 3, 4, 5 }, Decision.DownUnreachable)]
    [InlineData(true, 1, 2, new[] { 2 }, Decision.DownUnreachable)]           // 2 nodes: oldest keeps running
    [InlineData(true, 2, 2, new[] { 1 }, Decision.DownReachable)]
    public void Keep_oldest(bool downIfAlone, int self, int n, int[] unreachable, Decision expected) =>
        new KeepOldest(downIfAlone).Decide(View(self, n, unreachable)).Should().Be(expected);

    [Fact]
    public void Down_all_downs_everyone_not_already_down()
    {
        var view = View(1, 4, [4], i => i == 3 ? M(3, MemberStatus.Down) : M(i, MemberStatus.Up, i));
        new DownAll().Decide(view).Should().Be(Decision.DownAll);
        Ids(new DownAll().NodesToDown(view)).Should().Equal(1, 2, 4);
    }

    [Fact]
    public void Nodes_to_down_per_decision()
    {
        var view = View(1, 5, [4, 5]);
        var s = new KeepMajority();
        Ids(s.NodesToDown(view, Decision.DownUnreachable)).Should().Equal(4, 5);
        Ids(s.NodesToDown(view, Decision.DownReachable)).Should().Equal(1, 2, 3);
        Ids(s.NodesToDown(view, Decision.DownAll)).Should().Equal(1, 2, 3, 4, 5);
    }

    [Fact]
    public void Indirectly_connected_nodes_are_downed_first()
    {
        // 1..5 fully connected except that 2 and 3 see each other as unreachable (a cycle):
        // both are indirectly connected; as they are all the unreachable ones, only they are downed.
        var r = Reachability.Empty.Unreachable(Node(2), Node(3)).Unreachable(Node(3), Node(2));
        var view = new ClusterView(Node(1), Enumerable.Range(1, 5).Select(i => M(i, MemberStatus.Up, i)), r);
        view.IndirectlyConnected.Should().BeEquivalentTo([Node(2), Node(3)]);
        var s = new KeepMajority();
        s.Decide(view).Should().Be(Decision.DownIndirectlyConnected);
        Ids(s.NodesToDown(view)).Should().Equal(2, 3);

        // An unreachable subject that has seen the current gossip is reachable through others.
        var seen = new ClusterView(Node(1), Enumerable.Range(1, 3).Select(i => M(i, MemberStatus.Up, i)),
            Reachability.Empty.Unreachable(Node(2), Node(3)), new HashSet<UniqueAddress> { Node(1), Node(3) });
        seen.IndirectlyConnected.Should().BeEquivalentTo([Node(2), Node(3)]);
        Ids(s.NodesToDown(seen)).Should().Equal(2, 3);
    }

    [Fact]
    public void Indirectly_connected_plus_a_clean_partition()
    {
        // 1..7: 6 and 7 cleanly cut off (seen unreachable by 1), 4 and 5 in a cycle.
        var r = Reachability.Empty.Unreachable(Node(1), Node(6)).Unreachable(Node(1), Node(7))
            .Unreachable(Node(4), Node(5)).Unreachable(Node(5), Node(4));
        var view = new ClusterView(Node(1), Enumerable.Range(1, 7).Select(i => M(i, MemberStatus.Up, i)), r);
        var s = new KeepMajority();
        s.Decide(view).Should().Be(Decision.DownIndirectlyConnected);
        Ids(s.NodesToDown(view)).Should().Equal(4, 5, 6, 7);
        // From 6's side (6,7 reachable; 1..5 unreachable, 4 and 5 indirectly connected): 2 vs 3 -> the other side survives.
        var r6 = Reachability.Empty.Unreachable(Node(6), Node(1)).Unreachable(Node(6), Node(2)).Unreachable(Node(6), Node(3))
            .Unreachable(Node(6), Node(4)).Unreachable(Node(6), Node(5)).Unreachable(Node(4), Node(5)).Unreachable(Node(5), Node(4));
        var view6 = new ClusterView(Node(6), Enumerable.Range(1, 7).Select(i => M(i, MemberStatus.Up, i)), r6);
        s.Decide(view6).Should().Be(Decision.ReverseDownIndirectlyConnected);
        Ids(s.NodesToDown(view6)).Should().Equal(4, 5, 6, 7);
    }

    [Fact]
    public void Observations_of_down_members_are_ignored_and_no_unreachable_means_nothing_to_down()
    {
        var r = Reachability.Empty.Unreachable(Node(3), Node(1));
        var view = new ClusterView(Node(1), [M(1, MemberStatus.Up), M(2, MemberStatus.Up), M(3, MemberStatus.Down)], r);
        view.HasUnreachable.Should().BeFalse();
        new DownAll().Decide(view).Should().Be(Decision.DownUnreachable);
        new DownAll().NodesToDown(view).Should().BeEmpty();
    }

    [Fact]
    public void Stability_tracker_waits_for_stable_after_and_downs_all_when_unstable()
    {
        var t = new StabilityTracker(TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(750));
        t.IsStable(0).Should().BeFalse();
        t.Update("a", anyUnreachable: true, nowMs: 0);
        t.IsStable(999).Should().BeFalse();
        t.IsStable(1000).Should().BeTrue();
        t.Update("a", true, 1000);
        t.IsStable(1000).Should().BeTrue("the same fingerprint is no change");
        for (var now = 1100; now < 2000; now += 100) t.Update("f" + now, true, now);
        t.IsStable(2000).Should().BeFalse();
        t.ShouldDownAll(1700).Should().BeFalse();
        t.ShouldDownAll(1800).Should().BeTrue("unreachability kept changing for 1000 + 750 ms");
        t.Update("ok", anyUnreachable: false, nowMs: 2000);
        t.ShouldDownAll(2100).Should().BeFalse();
        new StabilityTracker(TimeSpan.FromSeconds(1)).ShouldDownAll(long.MaxValue).Should().BeFalse();

        var view1 = View(1, 3, [3]);
        var view2 = View(1, 3, [2, 3]);
        StabilityTracker.Fingerprint(view1).Should().NotBe(StabilityTracker.Fingerprint(view2));
        StabilityTracker.Fingerprint(view1).Should().Be(StabilityTracker.Fingerprint(View(1, 3, [3])));
    }
}
