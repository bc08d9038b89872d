using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.TestKit;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Ring;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// The RingManager singleton and the nodes' RingKeepers, started on each in-process node as kvnode does
/// (<see cref="RingHost.Start"/>), each node with its own data directory. 64 partitions, RF 3, the first ring of a new
/// cluster waits for 3 members.
/// </summary>
public sealed class RingSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private const int Partitions = 64;
    private static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(40);
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-ringspec-").FullName;

    private RingSettings Settings(string dataDir, TimeSpan? deputySuspicionHold = null) => new()
    {
        DeputySuspicionHold = deputySuspicionHold ?? new RingSettings().DeputySuspicionHold,
        Partitions = Partitions,
        ReplicationFactor = 3,
        MinMembers = 3,
        FailoverAfter = TimeSpan.FromSeconds(1),
        LastRingTimeout = TimeSpan.FromSeconds(5),
        RepublishInterval = TimeSpan.FromSeconds(1),
        DataDir = dataDir,
    };

    /// <summary>A node with the ring's actors: its proxy to the RingManager and a probe of the rings its keeper applies.</summary>
    private sealed record RingNode(ClusterNode Node, IActorRef Proxy, TestProbe Applied, string DataDir)
    {
        public NodeId Id => RingPaths.NodeIdOf(Node.Address);

        public override string ToString() => Node.ToString();
    }

    /// <summary>Starts a node (joining <paramref name="joinTo"/>, by default the oldest live node), subscribes a probe to its applied rings, then starts the ring's actors.</summary>
    private RingNode StartRingNode(string name, int port = 0, ClusterNode? joinTo = null, string? dataDir = null, Config? config = null,
        TimeSpan? deputySuspicionHold = null)
    {
        var node = Harness.StartNode(name, port, config, joinTo: joinTo);
        var applied = CreateTestProbe(node, $"applied-{name}");
        node.System.EventStream.Subscribe(applied.Ref, typeof(RingApplied));
        var dir = dataDir ?? Path.Combine(_dataRoot, name);
        return new RingNode(node, RingHost.Start(node.System, Settings(dir, deputySuspicionHold)), applied, dir);
    }

    /// <summary>n1, then n2 and n3 joining it; waits until all three are Up.</summary>
    private List<RingNode> StartRingCluster(Config? config = null, TimeSpan? deputySuspicionHold = null)
    {
        var n1 = StartRingNode("n1", config: config, deputySuspicionHold: deputySuspicionHold);
        Harness.AwaitMembersUp(1, [n1.Node]);
        var nodes = new List<RingNode>
        {
            n1,
            StartRingNode("n2", joinTo: n1.Node, config: config, deputySuspicionHold: deputySuspicionHold),
            StartRingNode("n3", joinTo: n1.Node, config: config, deputySuspicionHold: deputySuspicionHold),
        };
        Harness.AwaitMembersUp(3, nodes.Select(n => n.Node));
        return nodes;
    }

    /// <summary>One question and its answer, through a fresh probe on the node (a late answer to an earlier question cannot be mistaken for this one).</summary>
    private RingState? Ask(ClusterNode node, Action<IActorRef> ask)
    {
        var probe = CreateTestProbe(node);
        try
        {
            ask(probe.Ref);
            return RingWire.FromProtoOrNull(probe.ExpectMsg<RingReply>(TimeSpan.FromSeconds(3)).Ring);
        }
        finally
        {
            node.System.Stop(probe.Ref);
        }
    }

    /// <summary>The ring the RingManager owns, asked through the node's singleton proxy.</summary>
    private RingState? ManagerRing(RingNode n) => Ask(n.Node, probe => n.Proxy.Tell(new GetRing(), probe));

    /// <summary>What the RingManager says it waits for (its GetRing reply's status), asked through the node's singleton proxy.</summary>
    private string ManagerStatus(RingNode n)
    {
        var probe = CreateTestProbe(n.Node);
        try
        {
            n.Proxy.Tell(new GetRing(), probe.Ref);
            return probe.ExpectMsg<RingReply>(TimeSpan.FromSeconds(3)).Status;
        }
        finally
        {
            n.Node.System.Stop(probe.Ref);
        }
    }

    /// <summary>The ring the node's keeper applied last.</summary>
    private RingState? KeeperRing(RingNode n) =>
        Ask(n.Node, probe => n.Node.System.ActorSelection(RingPaths.KeeperPath).Tell(new GetRing(), probe));

    /// <summary>Waits until every node's keeper has applied one same ring satisfying <paramref name="condition"/>; returns it.</summary>
    private RingState AwaitRingOnAll(IReadOnlyList<RingNode> nodes, Func<RingState, bool> condition, string what)
    {
        RingState? agreed = null;
        AwaitAssert(() =>
        {
            var rings = nodes.Select(n => (Node: n, Ring: KeeperRing(n))).ToList();
            foreach (var (node, ring) in rings)
            {
                if (ring is null || !condition(ring))
                    throw new XunitException($"{node}: expected {what}; its keeper has {(ring is null ? "no ring" : $"{ring}: {Summary(ring)}")}.");
            }
            var epochs = rings.Select(r => r.Ring!.Epoch).Distinct().ToList();
            if (epochs.Count != 1 || rings.Any(r => !r.Ring!.Equals(rings[0].Ring)))
                throw new XunitException($"The keepers have not applied one same ring: epochs {string.Join(", ", rings.Select(r => $"{r.Node.Node.Name} {r.Ring!.Epoch}"))}.");
            agreed = rings[0].Ring;
        }, RingTimeout, TimeSpan.FromMilliseconds(200));
        return agreed!;
    }

    private static string Summary(RingState ring) =>
        string.Join(", ", ring.Loads().Select(l => $"{l.Key} {l.Value.Primaries}p/{l.Value.Followers}f/{l.Value.Learners}l"));

    private static int[] Primaries(RingState ring, IEnumerable<RingNode> nodes) =>
        nodes.Select(n => ring.Loads().TryGetValue(n.Id, out var load) ? load.Primaries : 0).ToArray();

    private static bool Balanced(int[] counts) => counts.Max() - counts.Min() <= Math.Max(1, (int)Math.Ceiling(0.1 * counts.Average()));

    /// <summary>The first ring the node's keeper applied since its probe was subscribed.</summary>
    private static RingApplied FirstApplied(RingNode n) => n.Applied.ExpectMsg<RingApplied>(RingTimeout);

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { Directory.Delete(_dataRoot, recursive: true); }
    }

    /// <summary>
    /// Fault: none (3 nodes start and join). Invariant: the first ring waits for the 3 members, so it is formed once, at
    /// epoch 1, with every replica in sync; every keeper applies that same ring (and saves it); every partition has 3
    /// replicas on 3 distinct nodes; primaries are balanced within 10%.
    /// </summary>
    [Fact]
    public void Three_nodes_form_the_first_ring_and_every_keeper_applies_it()
    {
        var nodes = StartRingCluster();

        var ring = AwaitRingOnAll(nodes, r => r.Epoch >= 1, "the first ring");

        ring.Epoch.Should().Be(1, "the first ring waited for all 3 members instead of being re-planned as they joined");
        ring.PartitionCount.Should().Be(Partitions);
        ring.Nodes.Should().BeEquivalentTo(nodes.Select(n => n.Id));
        ring.Partitions.Should().OnlyContain(s => s.InSync.Length == 3 && s.Learners.IsEmpty && s.Replicas.Distinct().Count() == 3);
        Balanced(Primaries(ring, nodes)).Should().BeTrue($"primaries per node are balanced: {Summary(ring)}");
        foreach (var n in nodes)
        {
            FirstApplied(n).Ring.Should().Be(ring, $"{n} applied the first ring and no other before it");
            RingFile.Read(RingPaths.RingFile(n.DataDir)).Ring.Should().Be(ring, $"{n} saved it");
        }
        ManagerRing(nodes[2]).Should().Be(ring, "the manager answers GetRing through any node's proxy");
    }

    /// <summary>
    /// Fault: after the first ring, another manager collects the rings of a majority of the members under a much higher
    /// ballot (the test asks two of the three keepers, as a manager on the far side of a partition would). Then a fourth
    /// node joins, so the manager has a ring to propose. Invariant: those keepers refuse it and tell the manager their
    /// promise; the manager collects the rings again under a ballot above the rival's before it changes anything, and
    /// its ring with the fourth node is then chosen and applied by every keeper, the epoch continuing upwards.
    /// </summary>
    [Fact]
    public void A_manager_whose_keepers_promised_a_higher_ballot_collects_again_above_it_before_changing_the_ring()
    {
        var nodes = StartRingCluster();
        var first = AwaitRingOnAll(nodes, r => r.Epoch >= 1, "the first ring");
        var rival = new RingBallot(50, "127.0.0.1:1");
        foreach (var n in nodes.Take(2))
        {
            var probe = CreateTestProbe(n.Node);
            n.Node.System.ActorSelection(RingPaths.KeeperPath).Tell(new LastRingRequest { Ballot = rival.ToProto() }, probe.Ref);
            var promise = probe.ExpectMsg<LastRingReply>(TimeSpan.FromSeconds(3));
            promise.Refused.Should().BeFalse();
            RingBallot.FromProto(promise.Promised).Should().Be(rival);
        }

        var n4 = StartRingNode("n4", joinTo: nodes[0].Node);
        var all = nodes.Append(n4).ToList();
        Harness.AwaitMembersUp(4, all.Select(n => n.Node));
        var ring = AwaitRingOnAll(all, r => r.Nodes.Contains(n4.Id), "a ring with the fourth node");

        ring.Epoch.Should().BeGreaterThan(first.Epoch);
        foreach (var n in nodes.Take(2))
        {
            var promised = RingBallot.FromProto(RingFile.ReadAcceptor(RingPaths.AcceptedFile(n.DataDir)).Record!.Promised);
            (promised > rival).Should().BeTrue($"{n} now promised the manager's new ballot {promised}, above the rival's {rival}");
        }
    }

    /// <summary>
    /// Fault: the node running the RingManager (the oldest) crashes. Invariant: the singleton moves to the next oldest,
    /// whose manager starts from the highest epoch the survivors' keepers report and publishes a higher one (the epoch
    /// continues upwards); the crashed node is in no partition; each partition it led is led by one of its former
    /// in-sync replicas; the survivors' keepers agree.
    /// </summary>
    [Fact]
    public async Task When_the_managers_node_crashes_the_singleton_moves_and_the_epoch_continues_upwards()
    {
        var nodes = StartRingCluster();
        var before = AwaitRingOnAll(nodes, r => r.Epoch >= 1, "the first ring");
        var oldest = nodes.OrderBy(n => nodes[1].Node.Members.First(m => m.UniqueAddress.Equals(n.Node.UniqueAddress)), Member.AgeOrdering).First();
        var survivors = nodes.Where(n => n != oldest).ToList();

        await Harness.CrashAsync(oldest.Node);

        var after = AwaitRingOnAll(survivors, r => r.Epoch > before.Epoch && !r.Nodes.Contains(oldest.Id),
            $"a ring above epoch {before.Epoch} without the crashed {oldest.Id}");
        after.Partitions.Should().OnlyContain(s => s.Primary != null && s.InSync.Length == 2, "2 nodes for RF 3: under-replicated, still served");
        for (var p = 0; p < Partitions; p++)
        {
            if (before[p].Primary == oldest.Id)
                before[p].IsInSync(after[p].Primary!.Value).Should().BeTrue($"partition {p} failed over to a replica that was in sync");
        }
        ManagerRing(survivors[1]).Should().Be(after, "the new manager answers through the proxy");
        foreach (var n in survivors)
        {
            var epochs = new List<long>();
            while (n.Applied.HasMessages) epochs.Add(n.Applied.ExpectMsg<RingApplied>().Ring.Epoch);
            epochs.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems($"{n} applied every ring above the one before");
        }
    }

    /// <summary>
    /// Fault: the next oldest node's partitions suspect the RingManager's host (a <see cref="ShardReportNoted"/>, as when
    /// the host stops answering them as their primary) while the host is alive and reachable. Invariant: the next oldest
    /// runs a deputy manager without waiting for Akka to mark the host unreachable (its first ring comes at a higher
    /// epoch while every member is reachable); the host's manager, superseded by the deputy's ballot, collects again
    /// above it, the deputy stops (superseded, or at the latest once the suspicion lapses), and the host's manager goes
    /// on changing the ring: a fourth node gets its share.
    /// </summary>
    [Fact]
    public void A_suspicion_of_the_managers_host_starts_a_deputy_at_once_and_a_live_host_takes_the_ring_back()
    {
        var nodes = StartRingCluster();
        var before = AwaitRingOnAll(nodes, r => r.Epoch >= 1 && r.Partitions.All(s => s.Learners.IsEmpty), "the first ring, every replica in sync");
        var byAge = nodes.OrderBy(n => nodes[0].Node.Members.First(m => m.UniqueAddress.Equals(n.Node.UniqueAddress)), Member.AgeOrdering).ToList();
        var (host, next) = (byAge[0], byAge[1]);

        next.Node.System.EventStream.Publish(new ShardReportNoted(ShardReportKind.PrimarySuspected, 0, host.Id.Value, before.Epoch));

        var deputys = AwaitRingOnAll(nodes, r => r.Epoch > before.Epoch, $"the deputy's first ring, above epoch {before.Epoch}");
        next.Node.Cluster.State.Unreachable.Should().BeEmpty("the deputy acted on the suspicion, not on Akka's failure detector");
        deputys.Nodes.Should().BeEquivalentTo(before.Nodes, "nobody was removed");
        AwaitAssert(() => Identify(next, "/user/ring-deputy/manager-1").Should().BeNull("the deputy stood down for the live host's manager"),
            new RingSettings().DeputySuspicionHold * 3, TimeSpan.FromMilliseconds(200));

        var n4 = StartRingNode("n4", joinTo: host.Node);
        var all = nodes.Append(n4).ToList();
        var after = AwaitRingOnAll(all, r => r.Epoch > deputys.Epoch && r.Nodes.Contains(n4.Id), $"a ring above epoch {deputys.Epoch} that gives {n4.Id} replicas");
        after.Partitions.Count(s => s.Contains(n4.Id)).Should().BePositive();
        foreach (var n in nodes)
        {
            var epochs = new List<long>();
            while (n.Applied.HasMessages) epochs.Add(n.Applied.ExpectMsg<RingApplied>().Ring.Epoch);
            epochs.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems($"{n} applied every ring above the one before");
        }
    }

    /// <summary>
    /// Setting: <c>kvactors.store.deputy-suspicion-hold = 0s</c>. Invariant: the next oldest member's deputy ignores its
    /// partitions' suspicion of the manager's live host (it acts on Akka's unreachability alone); with the default hold
    /// the same report starts it at once.
    /// </summary>
    [Theory]
    [InlineData(0, false)]
    [InlineData(3, true)]
    public void The_deputy_acts_on_a_suspicion_of_the_managers_host_only_while_suspicions_are_held(int holdSeconds, bool starts)
    {
        var nodes = StartRingCluster(deputySuspicionHold: TimeSpan.FromSeconds(holdSeconds));
        var before = AwaitRingOnAll(nodes, r => r.Epoch >= 1, "the first ring");
        var byAge = nodes.OrderBy(n => nodes[0].Node.Members.First(m => m.UniqueAddress.Equals(n.Node.UniqueAddress)), Member.AgeOrdering).ToList();
        var (host, next) = (byAge[0], byAge[1]);

        next.Node.System.EventStream.Publish(new ShardReportNoted(ShardReportKind.PrimarySuspected, 0, host.Id.Value, before.Epoch));

        // The deputy answers this after the report (one mailbox, in order), and starts its child while handling the report.
        Identify(next, "/user/ring-deputy").Should().NotBeNull();
        next.Node.Cluster.State.Unreachable.Should().BeEmpty();
        (Identify(next, "/user/ring-deputy/manager-1") is not null).Should().Be(starts);
    }

    private IActorRef? Identify(RingNode n, string path)
    {
        var probe = CreateTestProbe(n.Node);
        n.Node.System.ActorSelection(path).Tell(new Identify(path), probe.Ref);
        return probe.ExpectMsg<ActorIdentity>(TimeSpan.FromSeconds(3)).Subject;
    }

    /// <summary>
    /// Fault: a 2|2 split of four nodes (each side one of the two lowest addresses' halves: the lowest and the third).
    /// Invariant: the split-brain resolver keeps the side with the lowest address (MembershipSpecs), and the ring goes
    /// on with it: two of the ring's four nodes are a quorum of them only when they hold the lowest address
    /// (<see cref="RingQuorum"/> breaks the tie as keep-majority does), so that side's keepers apply a ring at a higher
    /// epoch naming neither downed node, every partition led by a node of that side that was in sync before.
    /// </summary>
    [Fact]
    public async Task In_an_even_split_the_ring_goes_on_with_the_side_the_resolver_keeps()
    {
        var n1 = StartRingNode("n1");
        Harness.AwaitMembersUp(1, [n1.Node]);
        var all = new List<RingNode> { n1 };
        for (var i = 2; i <= 4; i++) all.Add(StartRingNode($"n{i}", joinTo: n1.Node));
        Harness.AwaitMembersUp(4, all.Select(n => n.Node));
        var before = AwaitRingOnAll(all, r => r.Nodes.Count == 4 && r.Partitions.All(s => s.Learners.IsEmpty), "a ring on all four nodes, every replica in sync");
        var byAddress = all.OrderBy(n => n.Node.Address, Member.AddressOrdering).ToList();
        RingNode[] kept = [byAddress[0], byAddress[2]], downed = [byAddress[1], byAddress[3]];

        await Harness.PartitionAsync(kept.Select(n => n.Node), downed.Select(n => n.Node));

        foreach (var n in downed) Harness.AwaitTerminated(n.Node);
        var after = AwaitRingOnAll(kept, r => r.Epoch > before.Epoch && downed.All(d => !r.Nodes.Contains(d.Id)),
            $"a ring above epoch {before.Epoch} without {downed[0].Id} and {downed[1].Id}");
        for (var p = 0; p < Partitions; p++)
            before[p].IsInSync(after[p].Primary!.Value).Should().BeTrue($"partition {p} is led by a node that was in sync: {Summary(after)}");
    }

    /// <summary>
    /// Fault: the link between the two younger nodes of three is cut, so the split-brain resolver downs both (indirectly
    /// connected, MembershipSpecs) and the oldest, running the RingManager, goes on alone; then one of the downed nodes
    /// is started again on its port with its data. Invariant: alone, the survivor is no quorum of the ring's three nodes,
    /// so no ring without the downed nodes takes effect, and the manager says what it waits for (GetRing's status, shown
    /// by `kv ring show`); once the restarted node is back, the ring goes on above the old epoch on the two of them.
    /// </summary>
    [Fact]
    public async Task Alone_of_a_rings_three_nodes_the_survivor_changes_no_ring_until_another_is_back()
    {
        var (survivor, b, c, before) = await AloneAfterAnIndirectlyConnectedDowning();

        var back = StartRingNode("n2-again", b.Node.Port, joinTo: survivor.Node, dataDir: b.DataDir);
        var after = AwaitRingOnAll([survivor, back], r => r.Epoch > before.Epoch && !r.Nodes.Contains(c.Id),
            $"a ring above epoch {before.Epoch} without {c.Id}");
        after.Partitions.Should().OnlyContain(s => s.Primary != null);
        AwaitAssert(() => ManagerStatus(survivor).Should().BeEmpty("nothing is waiting any more"), RingTimeout, TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// Fault: as above, but the downed nodes never come back (their disks are lost): the operator declares them gone
    /// (<c>kv ring forget</c>, ForgetNodes through the survivor's ring-route). Invariant: forgetting a member is refused
    /// with a sentence; once both are forgotten, the survivor's ring goes on above the old epoch, on it alone.
    /// </summary>
    [Fact]
    public async Task Nodes_an_operator_declares_gone_no_longer_hold_the_ring_back()
    {
        var (survivor, b, c, before) = await AloneAfterAnIndirectlyConnectedDowning();

        var refused = Forget(survivor, survivor.Id, b.Id);
        refused.Forgotten.Should().BeFalse();
        refused.Message.Should().Contain($"{survivor.Id} is a member");
        KeeperRing(survivor).Should().Be(before);

        Forget(survivor, b.Id, c.Id).Forgotten.Should().BeTrue();
        var after = AwaitRingOnAll([survivor], r => r.Epoch > before.Epoch && r.Nodes.SequenceEqual([survivor.Id]),
            $"a ring above epoch {before.Epoch} on {survivor.Id} alone");
        after.Partitions.Should().OnlyContain(s => s.Primary == survivor.Id);
    }

    /// <summary>
    /// The set-up of the two specs above: three nodes, the link between the two younger cut, both downed; waits until the
    /// survivor's manager says its ring waits for them.
    /// </summary>
    private async Task<(RingNode Survivor, RingNode B, RingNode C, RingState Before)> AloneAfterAnIndirectlyConnectedDowning()
    {
        var nodes = StartRingCluster();
        AwaitRingOnAll(nodes, r => r.Nodes.Count == 3 && r.Partitions.All(s => s.Learners.IsEmpty), "a ring on all three, every replica in sync");
        var (survivor, b, c) = (nodes[0], nodes[1], nodes[2]);

        await Harness.BlackholeAsync(b.Node, c.Node);
        Harness.AwaitTerminated(b.Node);
        Harness.AwaitTerminated(c.Node);
        Harness.AwaitMembersUp(1, [survivor.Node]);

        // Before the downing a ring may still have been chosen with b or c (b's partitions reporting c silent, or c's
        // b): the one in force is whatever the survivor's keeper holds once its manager waits for them.
        RingState? before = null;
        AwaitAssert(() =>
        {
            before = KeeperRing(survivor);
            before.Should().NotBeNull();
            ManagerStatus(survivor).Should().Contain("has waited").And.Contain(b.Id.Value).And.Contain(c.Id.Value)
                .And.Contain($"epoch {before!.Epoch} stays in force");
        }, RingTimeout, TimeSpan.FromMilliseconds(200));
        before!.Nodes.Should().HaveCount(3, "the ring in force still names the downed nodes");
        KeeperRing(survivor).Should().Be(before, "1 of the ring's 3 nodes is no quorum: nothing else took effect");
        return (survivor, b, c, before);
    }

    private ForgetNodesReply Forget(RingNode via, params NodeId[] nodes)
    {
        var probe = CreateTestProbe(via.Node);
        try
        {
            var request = new ForgetNodes();
            request.Nodes.AddRange(nodes.Select(n => n.Value));
            via.Node.System.ActorSelection(RingPaths.RoutePath).Tell(request, probe.Ref);
            return probe.ExpectMsg<ForgetNodesReply>(TimeSpan.FromSeconds(5));
        }
        finally
        {
            via.Node.System.Stop(probe.Ref);
        }
    }

    /// <summary>
    /// Fault: a node that does not run the RingManager crashes, and the split-brain resolver is slowed down (stable-after
    /// 30 s) so that the node stays an unreachable member. Invariant: once failover-after has passed, every partition it
    /// led is led by one of its in-sync replicas that is reachable, without waiting for the member's removal (it is
    /// still a member, kept as a learner where it led); the partitions it did not lead are unchanged.
    /// </summary>
    [Fact]
    public async Task An_unreachable_primary_fails_over_without_waiting_for_its_removal()
    {
        var slowResolver = ConfigurationFactory.ParseString("akka.cluster.split-brain-resolver.stable-after = 30s");
        var nodes = StartRingCluster(slowResolver);
        var before = AwaitRingOnAll(nodes, r => r.Epoch >= 1, "the first ring");
        var crashed = nodes[2];
        var survivors = nodes.Take(2).ToList();

        await Harness.CrashAsync(crashed.Node);

        var after = AwaitRingOnAll(survivors, r => r.Partitions.All(s => s.Primary != crashed.Id),
            $"a ring where the crashed {crashed.Id} leads no partition");
        survivors.Should().OnlyContain(n => n.Node.Members.Any(m => m.UniqueAddress.Equals(crashed.Node.UniqueAddress)),
            "the crashed node is still a member (unreachable, not removed) when its partitions have failed over");
        after.Epoch.Should().Be(before.Epoch + 1, "every failover of the node in one new epoch");
        for (var p = 0; p < Partitions; p++)
        {
            if (before[p].Primary == crashed.Id)
            {
                before[p].IsInSync(after[p].Primary!.Value).Should().BeTrue($"partition {p} failed over to an in-sync replica");
                after[p].IsLearner(crashed.Id).Should().BeTrue($"the old primary of partition {p} must reconcile before it is in sync again");
            }
            else
            {
                after[p].Should().Be(before[p], $"partition {p} did not lose its primary");
            }
        }
    }

    /// <summary>
    /// Fault: every node stops at once (a full cluster restart) and starts again on the same port with the same data
    /// directory (with kvnode's gate: Akka moves members Up only once 3 are there). Invariant: the new manager starts from
    /// the epoch the keepers saved, so the first ring any keeper applies after the restart has a higher epoch than any
    /// before it; the placement is the same (the data is where the ring says).
    /// </summary>
    [Fact]
    public void After_a_full_restart_the_first_ring_has_a_higher_epoch_than_any_before()
    {
        var nodes = StartRingCluster();
        var before = AwaitRingOnAll(nodes, r => r.Epoch >= 1, "the first ring");
        foreach (var n in nodes) _ = n.Node.System.Terminate();
        AwaitCondition(() => nodes.All(n => n.Node.IsTerminated), ClusterHarness.ConvergeTimeout, TimeSpan.FromMilliseconds(100), "every node stops");

        var gate = ConfigurationFactory.ParseString("akka.cluster.min-nr-of-members = 3");
        var r1 = StartRingNode("n1-again", nodes[0].Node.Port, dataDir: nodes[0].DataDir, config: gate);
        // Joins to n1 must not arrive before n1 has joined itself (Akka would drop them and retry 3 s later).
        AwaitCondition(() => r1.Node.Sees(r1.Node.UniqueAddress), ClusterHarness.ConvergeTimeout);
        var restarted = new List<RingNode>
        {
            r1,
            StartRingNode("n2-again", nodes[1].Node.Port, r1.Node, nodes[1].DataDir, gate),
            StartRingNode("n3-again", nodes[2].Node.Port, r1.Node, nodes[2].DataDir, gate),
        };
        Harness.AwaitMembersUp(3, restarted.Select(n => n.Node));

        var after = AwaitRingOnAll(restarted, r => r.Epoch > before.Epoch, $"a ring above epoch {before.Epoch}");
        after.SamePlacementAs(before).Should().BeTrue("the same nodes came back on the same addresses");
        foreach (var n in restarted)
            FirstApplied(n).Ring.Epoch.Should().BeGreaterThan(before.Epoch, $"{n}'s first ring after the restart continues above the saved epoch");
    }

    /// <summary>
    /// Fault: none (a 4th node joins a settled 3-node cluster). Invariant: it first appears only as a learner, in about a
    /// quarter of the replica slots (P * RF / 4), while the replicas it will replace stay in sync; once its primaries
    /// report it caught up (sent here by the test, as the replication layer will), it is in sync there and the replaced
    /// replicas are dropped: every partition has exactly 3 in-sync replicas, replica counts are even, every keeper agrees.
    /// </summary>
    [Fact]
    public void A_fourth_node_joins_as_learner_in_a_quarter_of_the_slots_and_is_promoted_when_caught_up()
    {
        var nodes = StartRingCluster();
        var before = AwaitRingOnAll(nodes, r => r.Epoch >= 1, "the first ring");
        var n4 = StartRingNode("n4", joinTo: nodes[0].Node);
        nodes.Add(n4);
        Harness.AwaitMembersUp(4, nodes.Select(n => n.Node));

        var joined = AwaitRingOnAll(nodes, r => r.Nodes.Contains(n4.Id), "a ring with the new node");
        var slots = Partitions * 3 / 4;
        var learning = Enumerable.Range(0, Partitions).Where(p => joined[p].IsLearner(n4.Id)).ToList();
        learning.Count.Should().BeInRange(slots - 2, slots + 2, $"about a quarter of the {Partitions * 3} replica slots: {Summary(joined)}");
        joined.Partitions.Should().OnlyContain(s => !s.IsInSync(n4.Id) && s.InSync.Length == 3, "it has no data yet; nothing is dropped before it has");
        joined.Epoch.Should().BeGreaterThan(before.Epoch);

        // Its primaries report it caught up, each report at the epoch the reporter knows; a report overtaken by a
        // change of its partition is ignored as stale and made again from the newer ring.
        var proxy = nodes[1].Proxy;
        var reporter = CreateTestProbe(nodes[1].Node);
        AwaitAssert(() =>
        {
            var ring = ManagerRing(nodes[1])!;
            var stillLearning = Enumerable.Range(0, Partitions).Where(p => ring[p].IsLearner(n4.Id)).ToList();
            foreach (var p in stillLearning)
                proxy.Tell(new LearnerCaughtUp { Partition = p, Node = n4.Id.Value, Epoch = ring.Epoch }, reporter.Ref);
            stillLearning.Should().BeEmpty($"every learner is promoted (epoch {ring.Epoch})");
        }, RingTimeout, TimeSpan.FromMilliseconds(300));

        var settled = AwaitRingOnAll(nodes, r => r.Partitions.All(s => s.Learners.IsEmpty), "a ring with no learner");
        settled.Partitions.Should().OnlyContain(s => s.InSync.Length == 3 && s.Count == 3, "the replaced replicas are dropped");
        foreach (var p in learning) settled[p].IsInSync(n4.Id).Should().BeTrue($"n4 is in sync in partition {p}");
        var replicas = nodes.Select(n => settled.Loads()[n.Id].Replicas).ToArray();
        (replicas.Max() - replicas.Min()).Should().BeLessThanOrEqualTo(1, $"replicas are even: {Summary(settled)}");
    }
}
