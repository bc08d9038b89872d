using KvActors.Cluster;
using KvActors.TestKit;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

public sealed class MembershipSpecs(ITestOutputHelper output) : SpecBase(output)
{
    /// <summary>Fault: none (a member leaves). Invariant: Leaving -> Exiting -> Removed everywhere, and the leaver stops itself.</summary>
    [Fact]
    public void A_member_leaves_gracefully()
    {
        var nodes = Harness.StartCluster(3);
        var leaver = nodes[2];
        var removed = new List<MemberStatus>();
        var probe = new TestProbe(nodes[0].System);
        nodes[0].Cluster.Subscribe(probe.Ref, typeof(MemberEvent));
        probe.ExpectMsg<CurrentClusterState>();

        nodes[0].Cluster.Leave(leaver.Address);

        probe.FishForMessage<MemberLeft>(e => e.Member.UniqueAddress == leaver.UniqueAddress);
        probe.FishForMessage<MemberExited>(e => e.Member.UniqueAddress == leaver.UniqueAddress);
        probe.FishForMessage<MemberRemoved>(e => e.Member.UniqueAddress == leaver.UniqueAddress).PreviousStatus.Should().Be(MemberStatus.Exiting);
        Awaiting.Completes(leaver.System.WhenTerminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(15)));
        Harness.AwaitMembersUp(2, on: nodes.Take(2));
    }

    /// <summary>Fault: a node crashes. Invariant: Unreachable, then Down (by the resolver), then Removed on every survivor.</summary>
    [Fact]
    public void A_crashed_node_becomes_unreachable_then_down_then_removed()
    {
        var nodes = Harness.StartCluster(3);
        var victim = nodes[2];
        var probe = new TestProbe(nodes[0].System);
        nodes[0].Cluster.Subscribe(probe.Ref, typeof(UnreachableMember), typeof(MemberDowned), typeof(MemberRemoved));
        probe.ExpectMsg<CurrentClusterState>();

        Harness.Crash(victim);

        probe.FishForMessage<UnreachableMember>(e => e.Member.UniqueAddress == victim.UniqueAddress, TimeSpan.FromSeconds(15));
        probe.FishForMessage<MemberDowned>(e => e.Member.UniqueAddress == victim.UniqueAddress, TimeSpan.FromSeconds(15));
        probe.FishForMessage<MemberRemoved>(e => e.Member.UniqueAddress == victim.UniqueAddress, TimeSpan.FromSeconds(15));
        Harness.AwaitMembersUp(2, on: nodes.Take(2));
    }

    /// <summary>Fault: a node crashes and restarts on the same port. Invariant: the old incarnation is removed, the new one joins, no manual down.</summary>
    [Fact]
    public void A_node_restarted_on_the_same_port_rejoins_and_its_old_incarnation_is_removed()
    {
        var nodes = Harness.StartCluster(3);
        var old = nodes[2];
        var port = old.Address.Port!.Value;
        Harness.Crash(old);
        var reborn = Harness.StartNode("n3-again", port);
        ClusterHarness.AwaitOn(nodes.Take(2).Append(reborn), n =>
                n.Cluster.State.Members.Count == 3
                && n.Cluster.State.Members.All(m => m.Status == MemberStatus.Up)
                && n.Cluster.State.Members.Any(m => m.UniqueAddress == reborn.UniqueAddress)
                && !n.Cluster.State.Members.Any(m => m.UniqueAddress == old.UniqueAddress),
            "the new incarnation is Up and the old one is gone", TimeSpan.FromSeconds(30));
    }

    /// <summary>Fault: partition {A,B} | {C}. Invariant: C is downed and stops itself; A and B continue as a cluster of two.</summary>
    [Fact]
    public void The_minority_side_of_a_partition_is_downed_and_stops()
    {
        var nodes = Harness.StartCluster(3);
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        Harness.Partition([a, b], [c]);
        Awaiting.Completes(c.System.WhenTerminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
        Harness.AwaitMembersUp(2, TimeSpan.FromSeconds(20), [a, b]);
        a.IsTerminated.Should().BeFalse();
        b.IsTerminated.Should().BeFalse();
    }

    /// <summary>Fault: 2|2 split of 4 nodes under keep-majority. Invariant: only the side with the lowest address survives.</summary>
    [Fact]
    public void In_an_even_split_only_the_side_with_the_lowest_address_survives()
    {
        var nodes = Harness.StartCluster(4).OrderBy(n => n.Address).ToList();
        var (low, high) = (new[] { nodes[0], nodes[2] }, new[] { nodes[1], nodes[3] });
        Harness.Partition(low, high);
        foreach (var n in high) Awaiting.Completes(n.System.WhenTerminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(25)));
        Harness.AwaitMembersUp(2, TimeSpan.FromSeconds(20), low);
        low.Should().OnlyContain(n => !n.IsTerminated);
    }

    /// <summary>
    /// Fault: one link cut (B-C) while both still reach A. Invariant: B and C, each observing the
    /// other unreachable while reachable through A, are indirectly connected; the resolver downs
    /// them (as Akka's does) and A keeps running.
    /// </summary>
    [Fact]
    public void Indirectly_connected_nodes_are_downed()
    {
        var nodes = Harness.StartCluster(3).OrderBy(n => n.Address).ToList();
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        Harness.Blackhole(b, c); // A still talks to both
        Awaiting.Completes(b.System.WhenTerminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(25)));
        Awaiting.Completes(c.System.WhenTerminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(25)));
        Harness.AwaitMembersUp(1, TimeSpan.FromSeconds(20), [a]);
        a.IsTerminated.Should().BeFalse();
    }
}
