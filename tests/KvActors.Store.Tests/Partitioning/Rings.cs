using KvActors.Store.Partitioning;

namespace KvActors.Store.Tests.Partitioning;

/// <summary>Test helpers for rings: node names, hand-made replica sets, settling, and balance and movement measures.</summary>
internal static class Rings
{
    public static NodeId Member(int i) => new($"10.0.0.{i}:4053");

    public static NodeId[] Members(params int[] ids) => ids.Select(Member).ToArray();

    public static NodeId[] MembersUpTo(int count) => Enumerable.Range(1, count).Select(Member).ToArray();

    public static ReplicaSet Set(int[] inSync, int[]? learners = null) => new(Members(inSync), Members(learners ?? []));

    /// <summary>Every replica of every partition in <paramref name="after"/> that <paramref name="before"/> did not have there: the data a plan copies.</summary>
    public static IEnumerable<(int Partition, NodeId Node)> NewReplicas(RingState before, RingState after) =>
        Enumerable.Range(0, after.PartitionCount)
            .SelectMany(p => after[p].Replicas.Where(n => !before[p].Contains(n)).Select(n => (p, n)));

    /// <summary>
    /// What the RingManager does after a plan: promote every learner as it catches up, then plan again,
    /// until no learner is left. Returns the settled ring and how many replicas the re-plans added.
    /// </summary>
    public static (RingState Ring, int AddedWhileSettling) Settle(
        RingState ring, IReadOnlyCollection<NodeId> members, int rf, IReadOnlyCollection<NodeId>? leaving = null)
    {
        var added = 0;
        for (var round = 0; round < 6; round++)
        {
            for (var p = 0; p < ring.PartitionCount; p++)
            {
                foreach (var learner in ring[p].Learners)
                    ring = RingTransitions.PromoteLearner(ring, p, learner).Ring;
            }
            var next = RingPlanner.Plan(ring, members, rf, leaving);
            added += NewReplicas(ring, next).Count();
            if (next.Equals(ring) && ring.Partitions.All(s => s.Learners.IsEmpty))
                return (ring, added);
            ring = next;
        }
        throw new InvalidOperationException("The ring did not settle within 6 rounds of promotions and plans.");
    }

    public static int[] ReplicaCounts(RingState ring, IEnumerable<NodeId> members)
    {
        var loads = ring.Loads();
        return members.Select(n => loads.TryGetValue(n, out var l) ? l.Replicas : 0).ToArray();
    }

    public static int[] PrimaryCounts(RingState ring, IEnumerable<NodeId> members)
    {
        var loads = ring.Loads();
        return members.Select(n => loads.TryGetValue(n, out var l) ? l.Primaries : 0).ToArray();
    }

    public static int Spread(int[] counts) => counts.Length == 0 ? 0 : counts.Max() - counts.Min();

    /// <summary>The balance rule the properties check: max - min &lt;= max(1, ceil(10% of the mean)).</summary>
    public static int Tolerance(int[] counts) =>
        counts.Length == 0 ? 0 : Math.Max(1, (int)Math.Ceiling(0.1 * counts.Average()));

    /// <summary>Imbalance as a percentage of the mean: (max - min) / mean.</summary>
    public static double ImbalancePercent(int[] counts) =>
        counts.Length == 0 || counts.Average() == 0 ? 0 : 100.0 * Spread(counts) / counts.Average();
}
