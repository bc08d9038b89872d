using static KvActors.Cluster.Tests.TestNodes;

namespace KvActors.Cluster.Tests;

public sealed class ReachabilityTests
{
    [Fact]
    public void Records_versions_and_queries()
    {
        var r = Reachability.Empty.Unreachable(Node(1), Node(2)).Unreachable(Node(3), Node(2)).Unreachable(Node(1), Node(4));
        r.IsReachable(Node(2)).Should().BeFalse();
        r.IsReachable(Node(1), Node(2)).Should().BeFalse();
        r.IsReachable(Node(1), Node(3)).Should().BeTrue();
        r.VersionOf(Node(1)).Should().Be(2);
        r.AllUnreachable.Should().BeEquivalentTo([Node(2), Node(4)]);
        r.AllUnreachableFrom(Node(1)).Should().BeEquivalentTo([Node(2), Node(4)]);
        r.ObserversGroupedByUnreachable[Node(2)].Should().BeEquivalentTo([Node(1), Node(3)]);
        r.Unreachable(Node(1), Node(2)).Should().BeSameAs(r);

        var healed = r.Reachable(Node(1), Node(2)).Reachable(Node(1), Node(4));
        healed.AllUnreachableFrom(Node(1)).Should().BeEmpty();
        healed.VersionOf(Node(1)).Should().Be(4, "the observer's version keeps counting after its rows are dropped");
        healed.IsReachable(Node(2)).Should().BeFalse("node 3 still sees it unreachable");

        var t = r.Terminated(Node(3), Node(2));
        t.AllUnreachable.Should().NotContain(Node(2));
        t.AllUnreachableOrTerminated.Should().Contain(Node(2));
        t.Reachable(Node(3), Node(2)).Should().BeSameAs(t, "terminated is final");
    }

    [Fact]
    public void Merge_takes_the_higher_version_per_observer_and_drops_disallowed()
    {
        var a = Reachability.Empty.Unreachable(Node(1), Node(2));
        var b = a.Reachable(Node(1), Node(2)).Unreachable(Node(3), Node(4));
        var all = new[] { Node(1), Node(2), Node(3), Node(4) };
        var m = a.Merge(all, b);
        m.IsReachable(Node(2)).Should().BeTrue();
        m.IsReachable(Node(4)).Should().BeFalse();
        m.Should().Be(b.Merge(all, a));
        a.Merge(new[] { Node(1), Node(3) }, b).IsReachable(Node(4)).Should().BeTrue("node 4 is not allowed");
    }

    [Fact]
    public void Remove_and_remove_observers()
    {
        var r = Reachability.Empty.Unreachable(Node(1), Node(2)).Unreachable(Node(3), Node(1));
        r.Remove([Node(1)]).IsAllReachable.Should().BeTrue();
        r.RemoveObservers([Node(1)]).AllUnreachable.Should().BeEquivalentTo([Node(1)]);
    }
}
