using FsCheck;
using FsCheck.Fluent;
using KvActors.Store.Partitioning;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Partitioning;

/// <summary>
/// Planner properties over random clusters: 1..10 nodes, P in {16, 64, 256}, RF in {1, 2, 3}, random
/// sequences of joins and leaves, with the ring settled (learners promoted, re-planned) between steps or not.
/// Balance rule checked on settled rings: max - min &lt;= max(1, ceil(10% of the mean)) for primaries, and
/// max - min &lt;= 1 for replicas (what the planner guarantees). Movement rule for one join or leave from a
/// settled ring: new replicas &lt;= 1.1 * P * min(RF, N) / N + 2, N the larger member count.
/// Runs from a fixed seed, so every run checks the same cases.
/// </summary>
public sealed class RingPlannerProperties(ITestOutputHelper output)
{
    private const int MaxNodes = 10;

    public sealed record Scenario(int Partitions, int Rf, int FirstNodeId, int InitialNodes, int[] Steps, bool SettleBetween, int ShuffleSeed)
    {
        public override string ToString() =>
            $"P={Partitions} RF={Rf} nodes {FirstNodeId}..{FirstNodeId + InitialNodes - 1} steps=[{string.Join(",", Steps)}] settle={SettleBetween} shuffle={ShuffleSeed}";
    }

    private static readonly Gen<Scenario> Scenarios =
        from partitions in Gen.Elements(16, 64, 256)
        from rf in Gen.Choose(1, 3)
        from firstNode in Gen.Choose(1, 200)
        from initial in Gen.Choose(1, MaxNodes)
        from stepCount in Gen.Choose(1, 6)
        from steps in Gen.Choose(0, 999).ArrayOf(stepCount)
        from settle in Gen.Elements(true, true, false)
        from shuffle in Gen.Choose(0, 1_000_000)
        select new Scenario(partitions, rf, firstNode, initial, steps, settle, shuffle);

    private static Config Seeded(int tests) =>
        Config.QuickThrowOnFailure
            .WithMaxTest(tests)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(0x4B5641637473UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    [Fact]
    public void Joins_and_leaves_keep_the_ring_valid_balanced_and_moving_little()
    {
        var observed = new Observations();
        Check.One(Seeded(100), Prop.ForAll(Scenarios.ToArbitrary(), scenario => Run(scenario, observed)));
        output.WriteLine(observed.ToString());
    }

    /// <summary>The same checks on every (P, RF) growing 1 -> 10 nodes then shrinking back, to report the figures.</summary>
    [Fact]
    public void Growing_to_ten_nodes_and_back_stays_within_the_balance_and_movement_bounds()
    {
        foreach (var partitions in new[] { 16, 64, 256 })
        {
            foreach (var rf in new[] { 1, 2, 3 })
            {
                var observed = new Observations();
                // Joins, then leaves alternating crash (1) and graceful (5).
                var steps = Enumerable.Repeat(2, MaxNodes - 1).Concat(Enumerable.Range(0, MaxNodes - 1).Select(i => i % 2 == 0 ? 1 : 5)).ToArray();
                Run(new Scenario(partitions, rf, 1, 1, steps, SettleBetween: true, ShuffleSeed: 42), observed);
                output.WriteLine($"P={partitions,3} RF={rf}: {observed}");
            }
        }
    }

    private static void Run(Scenario scenario, Observations observed)
    {
        var (partitions, rf) = (scenario.Partitions, scenario.Rf);
        var members = Enumerable.Range(scenario.FirstNodeId, scenario.InitialNodes).Select(Member).ToList();
        var nextId = scenario.FirstNodeId + scenario.InitialNodes;
        var departed = new Queue<NodeId>();

        var empty = RingState.Empty(partitions, rf);
        var ring = RingPlanner.Plan(empty, members, rf);
        CheckPlan(empty, ring, members, rf, scenario.ShuffleSeed);
        ring.Partitions.Should().OnlyContain(set => set.Learners.IsEmpty, "the first ring has no data to learn");
        ring = SettleAndCheck(ring, members, rf, observed);
        var settled = true;

        foreach (var step in scenario.Steps)
        {
            // step % 6: 0, 2, 4 join (0: a node that left comes back under its address), 1, 3 crash, 5 graceful leave.
            var before = members.ToList();
            NodeId? joined = null, left = null;
            var graceful = false;
            if (members.Count == MaxNodes || (members.Count > 1 && step % 2 == 1))
            {
                left = members[step / 6 % members.Count];
                graceful = step % 6 == 5;
                members.Remove(left.Value);
                departed.Enqueue(left.Value);
            }
            else
            {
                joined = step % 6 == 0 && departed.Count > 0 ? departed.Dequeue() : Member(nextId++);
                members.Add(joined.Value);
            }

            RingState next, handedOff = null!;
            if (graceful)
            {
                // The leaver stays Up while it hands its partitions off, then exits without changing the ring.
                var stillUp = members.Append(left!.Value).ToList();
                next = RingPlanner.Plan(ring, stillUp, rf, [left.Value]);
                CheckPlan(ring, next, stillUp, rf, scenario.ShuffleSeed + step, [left.Value]);
                handedOff = Settle(next, stillUp, rf, [left.Value]).Ring;
                handedOff.Partitions.Where(set => set.Contains(left.Value)).Should().BeEmpty("a leaving node is handed off everywhere");
                RingPlanner.Plan(handedOff, members, rf).Should().BeSameAs(handedOff, "a handed-off node exits without a new ring");
            }
            else
            {
                next = RingPlanner.Plan(ring, members, rf);
                CheckPlan(ring, next, members, rf, scenario.ShuffleSeed + step);
            }
            if (settled)
                CheckMovement(ring, next, before.Count, members.Count, rf, joined, left, observed);

            ring = graceful ? handedOff : next;
            settled = scenario.SettleBetween;
            if (settled)
                ring = SettleAndCheck(ring, members, rf, observed);
        }
        SettleAndCheck(ring, members, rf, observed);
    }

    /// <summary>What every plan must satisfy, settled or not.</summary>
    private static void CheckPlan(
        RingState before, RingState next, List<NodeId> members, int rf, int shuffleSeed, IReadOnlyCollection<NodeId>? leaving = null)
    {
        var size = Math.Min(rf, members.Count - (leaving?.Count ?? 0));
        if (ReferenceEquals(next, before))
            next.Epoch.Should().Be(before.Epoch);
        else
        {
            next.Epoch.Should().Be(before.Epoch + 1, "an epoch only grows, by one per change");
            next.SamePlacementAs(before).Should().BeFalse("an unchanged ring keeps its epoch");
        }

        for (var p = 0; p < next.PartitionCount; p++)
        {
            var set = next[p];
            if (before[p].InSync.Any(members.Contains) || before[p].InSync.IsEmpty)
                set.Replicas.Where(n => !members.Contains(n)).Should().BeEmpty("a node that left is removed from every partition");
            else
            {
                set.InSync.Should().Equal(before[p].InSync, "a partition whose in-sync replicas all left keeps them, waiting for one back");
                set.Learners.Where(n => !members.Contains(n)).Should().BeEmpty("a node that left is no learner");
            }
            set.Learners.Where(n => leaving?.Contains(n) == true).Should().BeEmpty("a leaving node gets no new replica");
            set.Count.Should().BeGreaterThanOrEqualTo(size);
            set.Learners.Length.Should().BeLessThanOrEqualTo(size);
            if (!before.IsUnformed)
                set.InSync.Where(n => !before[p].IsInSync(n)).Should().BeEmpty("only a promotion makes a replica in sync");
            var liveInSync = before[p].InSync.Count(members.Contains);
            set.InSync.Length.Should().BeGreaterThanOrEqualTo(Math.Min(size, liveInSync), "a plan never leaves fewer in-sync replicas than it could keep");
            if (!before.IsUnformed)
            {
                foreach (var node in set.Replicas.Where(n => !before[p].Contains(n)))
                    set.IsLearner(node).Should().BeTrue("a replica new to a partition starts as a learner");
            }
            (set.Primary is null).Should().Be(set.InSync.IsEmpty);
        }

        var shuffled = members.OrderBy(_ => 0).ToArray();
        new Random(shuffleSeed).Shuffle(shuffled);
        RingPlanner.Plan(before, shuffled, rf, leaving).Should().Be(next, "the plan does not depend on the order of the members");
        RingPlanner.Plan(next, members, rf, leaving).Should().BeSameAs(next, "planning again with nothing new changes nothing");
    }

    private static RingState SettleAndCheck(RingState ring, List<NodeId> members, int rf, Observations observed)
    {
        var (settled, added) = Settle(ring, members, rf);
        var size = Math.Min(rf, members.Count);
        settled.Partitions.Should().OnlyContain(set => set.InSync.Length == size && set.Learners.IsEmpty);
        added.Should().Be(0, "settling only promotes learners and drops the replicas they replace");

        var replicas = ReplicaCounts(settled, members);
        var primaries = PrimaryCounts(settled, members);
        Spread(replicas).Should().BeLessThanOrEqualTo(1, "replica counts per node: {0}", string.Join(",", replicas));
        Spread(primaries).Should().BeLessThanOrEqualTo(Tolerance(primaries), "primary counts per node: {0}", string.Join(",", primaries));
        observed.Balance(settled.PartitionCount, members.Count, replicas, primaries);
        return settled;
    }

    private static void CheckMovement(
        RingState before, RingState next, int membersBefore, int membersAfter, int rf, NodeId? joined, NodeId? left, Observations observed)
    {
        var moved = NewReplicas(before, next).ToList();
        var larger = Math.Max(membersBefore, membersAfter);
        var share = (double)before.PartitionCount * Math.Min(rf, larger) / larger;
        moved.Count.Should().BeLessThanOrEqualTo((int)(share * 1.1) + 2, "one join or leave moves about 1/N of the replicas");
        if (joined is { } joiner)
            moved.Where(r => r.Node != joiner).Should().BeEmpty("a join moves replicas only onto the new node");
        if (left is { } leaver)
            moved.Where(r => !before[r.Partition].Contains(leaver)).Should().BeEmpty("a leave re-places only the leaver's replicas");
        observed.Movement(joined is not null, moved.Count, share);
    }

    /// <summary>The worst balance and movement seen, for the test output.</summary>
    private sealed class Observations
    {
        private readonly SortedDictionary<int, (int ReplicaSpread, double ReplicaPercent, int PrimarySpread, double PrimaryPercent)> _balanceByP = [];
        private double _joinRatio, _leaveRatio;
        private int _settledRings, _joins, _leaves;

        public void Balance(int partitions, int nodes, int[] replicas, int[] primaries)
        {
            _settledRings++;
            var worst = _balanceByP.GetValueOrDefault(partitions);
            _balanceByP[partitions] = (
                Math.Max(worst.ReplicaSpread, Spread(replicas)), Math.Max(worst.ReplicaPercent, ImbalancePercent(replicas)),
                Math.Max(worst.PrimarySpread, Spread(primaries)), Math.Max(worst.PrimaryPercent, ImbalancePercent(primaries)));
        }

        public void Movement(bool join, int moved, double share)
        {
            var ratio = share == 0 ? 0 : moved / share;
            if (join)
                (_joins, _joinRatio) = (_joins + 1, Math.Max(_joinRatio, ratio));
            else
                (_leaves, _leaveRatio) = (_leaves + 1, Math.Max(_leaveRatio, ratio));
        }

        public override string ToString() =>
            $"{_settledRings} settled rings; worst max-min (and % of mean) replicas/primaries: " +
            string.Join(", ", _balanceByP.Select(b => $"P={b.Key} {b.Value.ReplicaSpread} ({b.Value.ReplicaPercent:F1}%)/{b.Value.PrimarySpread} ({b.Value.PrimaryPercent:F1}%)")) +
            $"; worst moved / (P*min(RF,N)/N): {_joins} joins {_joinRatio:F3}, {_leaves} leaves {_leaveRatio:F3}";
    }
}
