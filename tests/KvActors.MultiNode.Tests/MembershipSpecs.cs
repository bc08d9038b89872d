using System.Diagnostics;
using Akka.Cluster;
using Akka.TestKit;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

public sealed class MembershipSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    /// <summary>A probe on <paramref name="node"/> subscribed to member and reachability events (the snapshot already taken).</summary>
    private TestProbe Events(ClusterNode node)
    {
        var probe = CreateTestProbe(node);
        node.Cluster.Subscribe(probe.Ref, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        probe.ExpectMsg<ClusterEvent.CurrentClusterState>();
        return probe;
    }

    private static UniqueAddress? Subject(object e) => e switch
    {
        ClusterEvent.IMemberEvent m => m.Member.UniqueAddress,
        ClusterEvent.ReachabilityEvent r => r.Member.UniqueAddress,
        _ => null,
    };

    /// <summary>The events about <paramref name="member"/> up to and including its MemberRemoved, each with when it came (since <paramref name="clock"/> started).</summary>
    private List<(object Event, TimeSpan At)> EventsUntilRemoved(TestProbe probe, UniqueAddress member, Stopwatch clock)
    {
        var seen = new List<(object, TimeSpan)>();
        while (true)
        {
            var e = probe.FishForMessage<object>(e => member.Equals(Subject(e)), ClusterHarness.ConvergeTimeout, $"events about {member}");
            seen.Add((e, clock.Elapsed));
            if (e is ClusterEvent.MemberRemoved) return seen;
        }
    }

    /// <summary>
    /// Fault: none (a member leaves). Invariant: every other member sees the leaver go Leaving ->
    /// Exiting -> Removed (MemberLeft, MemberExited, MemberRemoved from Exiting, in this order), the
    /// leaver's actor system terminates itself, and the rest stay a cluster of all Up members.
    /// </summary>
    [Fact]
    public void A_member_leaves_gracefully()
    {
        var nodes = Harness.StartCluster(3);
        var (leaver, stayers) = (nodes[2], nodes.Take(2).ToList());
        var probes = stayers.Select(Events).ToList();

        var clock = Stopwatch.StartNew();
        nodes[0].Cluster.Leave(leaver.Address);

        foreach (var probe in probes)
        {
            var timed = EventsUntilRemoved(probe, leaver.UniqueAddress, clock);
            if (probe == probes[0]) Note($"{stayers[0].Name}: {string.Join(", ", timed.Select(e => $"{e.Event.GetType().Name} at {e.At.TotalMilliseconds:F0} ms"))} after Leave");
            var events = timed.Select(e => e.Event).ToList();
            events.OfType<ClusterEvent.IMemberEvent>().Select(e => e.GetType()).Should().Equal(
                [typeof(ClusterEvent.MemberLeft), typeof(ClusterEvent.MemberExited), typeof(ClusterEvent.MemberRemoved)]);
            ((ClusterEvent.MemberRemoved)events[^1]).PreviousStatus.Should().Be(MemberStatus.Exiting);
            // It may be reported unreachable between Exiting and Removed: once it sees itself
            // Exiting the leaver shuts down, and the leader then removes it without its confirmation.
        }
        Harness.AwaitTerminated(leaver);
        Note($"The leaver's system terminated {clock.ElapsedMilliseconds} ms after Leave.");
        Harness.AwaitMembersUp(2, stayers);
    }

    /// <summary>
    /// Fault: a node crashes (silent, then stopped, without leaving). Invariant: every survivor
    /// sees it Unreachable, then Down (by the split-brain resolver: nobody downs it by hand), then
    /// Removed, within a bound; the survivors stay a cluster of all Up members.
    /// </summary>
    [Fact]
    public async Task A_crashed_node_becomes_unreachable_then_down_then_removed()
    {
        var nodes = Harness.StartCluster(3);
        var (victim, survivors) = (nodes[2], nodes.Take(2).ToList());
        var probes = survivors.Select(Events).ToList();
        var clock = Stopwatch.StartNew();

        await WithinAsync(TimeSpan.FromSeconds(30), async () =>
        {
            await Harness.CrashAsync(victim);
            Note($"{victim.Name} crashed (silenced and stopped) in {clock.ElapsedMilliseconds} ms.");
            foreach (var (probe, survivor) in probes.Zip(survivors))
            {
                var events = EventsUntilRemoved(probe, victim.UniqueAddress, clock);
                if (survivor == survivors[0]) // the later probes' events wait in their queues meanwhile: their times say nothing
                    Note($"{survivor.Name}: {string.Join(", ", events.Select(e => $"{e.Event.GetType().Name} at {e.At.TotalMilliseconds:F0} ms"))} after the crash");
                var types = events.Select(e => e.Event.GetType()).ToList();
                int unreachable = types.IndexOf(typeof(ClusterEvent.UnreachableMember)), down = types.IndexOf(typeof(ClusterEvent.MemberDowned));
                unreachable.Should().BeGreaterThanOrEqualTo(0, $"{survivor} sees the crashed node unreachable");
                down.Should().BeGreaterThanOrEqualTo(0, $"{survivor} sees the crashed node downed (by the resolver: nobody else downs it)");
                // Unreachable before Down; or right after it when both reach this node in one gossip
                // (Akka publishes the member events of a change before its reachability events).
                (unreachable < down || unreachable == down + 1).Should().BeTrue($"{survivor} sees it unreachable, then down: {string.Join(", ", types.Select(t => t.Name))}");
                types[^1].Should().Be(typeof(ClusterEvent.MemberRemoved));
            }
        });
        Harness.AwaitMembersUp(2, survivors);
    }

    /// <summary>
    /// Fault: a node crashes and is restarted at once on the same port (a new incarnation of the
    /// same address, as a supervisor restarting kvnode does). Invariant: without anyone downing it
    /// by hand, the old incarnation is removed everywhere and the new one joins: each survivor
    /// removes the old before it admits the new (never both as members), and every node ends
    /// with three members, all Up, with the new uid.
    /// </summary>
    [Fact]
    public async Task A_node_restarted_on_the_same_port_rejoins_and_its_old_incarnation_is_removed()
    {
        var nodes = Harness.StartCluster(3);
        var (old, survivors) = (nodes[2], nodes.Take(2).ToList());
        var probes = survivors.Select(Events).ToList();
        var clock = Stopwatch.StartNew();

        await Harness.CrashAsync(old);
        var reborn = Harness.StartNode("n3-again", old.Port);
        reborn.Address.Should().Be(old.Address, "the new incarnation has the same address");
        reborn.UniqueAddress.Should().NotBe(old.UniqueAddress);

        foreach (var (probe, survivor) in probes.Zip(survivors))
        {
            // Events about either incarnation (same address), until the old is removed and the new is Up.
            var events = new List<ClusterEvent.IMemberEvent>();
            while (!events.Any(e => e is ClusterEvent.MemberUp && e.Member.UniqueAddress.Equals(reborn.UniqueAddress)))
                events.Add(probe.FishForMessage<ClusterEvent.IMemberEvent>(e => e.Member.Address.Equals(old.Address), ClusterHarness.ConvergeTimeout, "the new incarnation Up"));
            var removed = events.FindIndex(e => e is ClusterEvent.MemberRemoved && e.Member.UniqueAddress.Equals(old.UniqueAddress));
            var firstOfNew = events.FindIndex(e => e.Member.UniqueAddress.Equals(reborn.UniqueAddress));
            removed.Should().BeInRange(0, firstOfNew - 1,
                $"{survivor} admits the new incarnation only after removing the old: {string.Join(", ", events.Select(e => $"{e.GetType().Name}(uid {e.Member.UniqueAddress.Uid})"))}");
        }
        var all = survivors.Append(reborn).ToList();
        Harness.AwaitOn(all, n => n.Members.Count == 3 && n.Members.All(m => m.Status == MemberStatus.Up)
                                  && n.Sees(reborn.UniqueAddress) && !n.Sees(old.UniqueAddress) && n.Cluster.State.Unreachable.Count == 0,
            "the new incarnation is Up and the old one is gone");
        Note($"The new incarnation was Up everywhere {clock.ElapsedMilliseconds} ms after the crash.");
    }

    /// <summary>
    /// Fault: partition {A,B} | {C}. Invariant: under keep-majority C (the minority) is downed and
    /// its actor system terminates itself (run-coordinated-shutdown-when-down); A and B keep
    /// running as a cluster of two Up members.
    /// </summary>
    [Fact]
    public async Task The_minority_side_of_a_partition_is_downed_and_stops()
    {
        var nodes = Harness.StartCluster(3);
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        var clock = Stopwatch.StartNew();

        await Harness.PartitionAsync([a, b], [c]);

        Harness.AwaitTerminated(c);
        Note($"The minority stopped itself {clock.ElapsedMilliseconds} ms after the partition.");
        Harness.AwaitMembersUp(2, [a, b]);
        a.IsTerminated.Should().BeFalse();
        b.IsTerminated.Should().BeFalse();
    }

    /// <summary>
    /// Fault: a 2|2 split of 4 nodes. Invariant: keep-majority breaks the tie by the lowest
    /// address: the side holding it continues (two Up members), both nodes of the other side are
    /// downed and stop themselves. Never both sides, never neither.
    /// </summary>
    [Fact]
    public async Task In_an_even_split_only_the_side_with_the_lowest_address_survives()
    {
        var nodes = Harness.StartCluster(4).OrderBy(n => n.Address, Member.AddressOrdering).ToList();
        ClusterNode[] low = [nodes[0], nodes[2]], high = [nodes[1], nodes[3]];

        await Harness.PartitionAsync(low, high);

        foreach (var n in high) Harness.AwaitTerminated(n);
        Harness.AwaitMembersUp(2, low);
        low.Should().OnlyContain(n => !n.IsTerminated);
    }

    /// <summary>
    /// Fault: one link cut (B-C) while A still reaches both. Invariant: B and C each see the other
    /// unreachable while A sees both reachable: they are indirectly connected, and Akka's
    /// split-brain resolver downs both of them (both stop themselves); A keeps running.
    /// </summary>
    [Fact]
    public async Task Indirectly_connected_nodes_are_downed()
    {
        var nodes = Harness.StartCluster(3).OrderBy(n => n.Address, Member.AddressOrdering).ToList();
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);

        await Harness.BlackholeAsync(b, c);

        Harness.AwaitTerminated(b);
        Harness.AwaitTerminated(c);
        Harness.AwaitMembersUp(1, [a]);
        a.IsTerminated.Should().BeFalse();
    }
}
