namespace KvActors.Store.Partitioning;

/// <summary>
/// Computes the next ring from the current one, the Up members and the replication factor.
/// <para>
/// Placement. Each partition gets a target of <c>min(RF, members)</c> distinct nodes, chosen starting from
/// where replicas already are: keep the current replicas on Up nodes (trimming any surplus: followers
/// first, learners last), fill missing ones on the least-loaded nodes, then even out replica counts to
/// within one, first by re-choosing among nodes that hold a partition already (no data moves), then by
/// moving one replica at a time from the most- to the least-loaded node. So a join moves only replicas
/// onto the new node, about P*RF/N of them, taken from the most-loaded nodes, and a leave re-places only
/// the leaver's replicas.
/// </para>
/// <para>
/// Make before break. A node new to a partition is added as a learner, and the in-sync replicas it
/// replaces stay in sync until every node of the partition's target is in sync
/// (<see cref="RingTransitions.PromoteLearner"/>, then plan again); writes keep full durability during
/// the move. The first ring, planned from a ring with no replica anywhere, is the exception: there is no
/// data to catch up on, so every replica starts in sync. A partition whose in-sync replicas have all gone
/// keeps them, its primary included: only they are known to hold every acknowledged write, so it waits
/// for one of them to come back (then that one serves again, and the learners placed on the members meanwhile
/// catch up from it) rather than be served by learners that may miss acknowledged writes, or be left with no
/// primary at all and no way back. With no member to place replicas on, the ring stays as it is, so it still
/// says where the data is when the nodes come back.
/// </para>
/// <para>
/// Primaries are in-sync replicas. A primary stays until its node leaves, its replica is handed off, or
/// primary counts differ by two or more; a partition that needs one takes the in-sync node leading the
/// fewest. Every choice is ordered by load, then by node or by a stable hash of (partition, node), so the
/// same inputs give the same ring whatever order the members come in, and planning a plan's own output
/// again gives the same ring.
/// </para>
/// </summary>
public static class RingPlanner
{
    /// <param name="current">The ring in force.</param>
    /// <param name="upMembers">Every member that is Up, leaving ones included; a node not named here is removed from every partition at once.</param>
    /// <param name="replicationFactor">Replicas wanted per partition; each gets <c>min(RF, placeable members)</c>.</param>
    /// <param name="leaving">
    /// Up members on their way out: they get no new replica, and their in-sync replicas stay in sync until
    /// their replacements are, so a graceful leave hands every partition off before the node exits. The node
    /// may exit once the ring names it in no partition.
    /// </param>
    /// <returns><paramref name="current"/> itself when nothing changes (or no member can take a replica), else the new ring at the next epoch.</returns>
    public static RingState Plan(
        RingState current, IReadOnlyCollection<NodeId> upMembers, int replicationFactor, IReadOnlyCollection<NodeId>? leaving = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(upMembers);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);

        var up = upMembers.ToHashSet();
        var members = up.Except(leaving ?? []).Order().ToArray(); // the nodes replicas may be placed on
        if (members.Length == 0)
            return current;
        var targets = ChooseTargets(current, members, Math.Min(replicationFactor, members.Length));

        var firstRing = current.IsUnformed;
        var inSync = new List<NodeId>[current.PartitionCount];
        var learners = new List<NodeId>[current.PartitionCount];
        for (var p = 0; p < current.PartitionCount; p++)
        {
            var target = targets[p];
            if (firstRing)
            {
                inSync[p] = [.. target];
                learners[p] = [];
                continue;
            }
            var liveInSync = current[p].InSync.Where(up.Contains).ToList();
            if (liveInSync.Count == 0 && !current[p].InSync.IsEmpty)
            {
                inSync[p] = [.. current[p].InSync]; // every one gone: kept, waiting for one to come back
                learners[p] = target.Where(n => !inSync[p].Contains(n)).ToList();
                continue;
            }
            var settled = target.All(liveInSync.Contains);
            inSync[p] = settled ? liveInSync.Where(target.Contains).ToList() : liveInSync;
            learners[p] = target.Where(n => !inSync[p].Contains(n)).ToList();
        }

        var primaries = ChoosePrimaries(current, up.Order().ToArray(), targets, inSync);
        var sets = new ReplicaSet[current.PartitionCount];
        for (var p = 0; p < sets.Length; p++)
        {
            sets[p] = primaries[p] is { } primary
                ? new ReplicaSet([primary, .. inSync[p].Where(n => n != primary)], learners[p])
                : new ReplicaSet([], learners[p]);
        }

        var next = new RingState(current.Epoch, current.PartitionCount, replicationFactor, sets);
        return next.SamePlacementAs(current)
            ? current
            : new RingState(current.Epoch + 1, current.PartitionCount, replicationFactor, sets);
    }

    /// <summary>The nodes each partition should end up on: <paramref name="size"/> distinct Up members, balanced within one replica.</summary>
    private static List<NodeId>[] ChooseTargets(RingState current, NodeId[] members, int size)
    {
        var load = members.ToDictionary(n => n, _ => 0);
        var targets = new List<NodeId>[current.PartitionCount];
        for (var p = 0; p < targets.Length; p++)
        {
            targets[p] = current[p].Replicas.Where(load.ContainsKey).ToList();
            foreach (var node in targets[p])
                load[node]++;
        }

        // Surplus (RF lowered, or replicas kept in sync while their replacements learned): drop in-sync
        // followers first, a primary next, learners last, since a learner is a move already under way.
        for (var p = 0; p < targets.Length; p++)
        {
            var set = current[p];
            while (targets[p].Count > size)
            {
                var victim = targets[p]
                    .OrderBy(n => set.IsLearner(n) ? 2 : set.Primary == n ? 1 : 0)
                    .ThenByDescending(n => load[n])
                    .ThenBy(n => StableHash.Of(p, n))
                    .First();
                targets[p].Remove(victim);
                load[victim]--;
            }
        }

        for (var p = 0; p < targets.Length; p++)
        {
            while (targets[p].Count < size)
            {
                var target = targets[p];
                var node = members
                    .Where(n => !target.Contains(n))
                    .OrderBy(n => load[n])
                    .ThenBy(n => StableHash.Of(p, n))
                    .First();
                target.Add(node);
                load[node]++;
            }
        }

        // Balance, first by re-choosing among nodes that hold the partition already (no data moves, and
        // planning the plan's own output again finds the same ring), then by moving replicas, one at a time
        // from the most to the least loaded node. A node with more replicas than another holds some partition
        // the other does not, so such a move exists whenever counts differ by two or more.
        while (HandOverChain.Find(members, members, load, HandOversToHolders(current, targets, load)) is { } chain)
        {
            foreach (var step in chain)
            {
                targets[step.Partition].Remove(step.From);
                targets[step.Partition].Add(step.To);
            }
            load[chain[0].From]--;
            load[chain[^1].To]++;
        }
        while (members.Length > 0)
        {
            var most = members.OrderByDescending(n => load[n]).ThenBy(n => n).First();
            var least = members.OrderBy(n => load[n]).ThenBy(n => n).First();
            if (load[most] - load[least] <= 1)
                break;
            var partition = Enumerable.Range(0, targets.Length)
                .Where(p => targets[p].Contains(most) && !targets[p].Contains(least))
                .OrderBy(p => MoveCost(current[p], most, least))
                .ThenBy(p => StableHash.Of(p, least))
                .First();
            targets[partition].Remove(most);
            targets[partition].Add(least);
            load[most]--;
            load[least]++;
        }
        return targets;
    }

    /// <summary>
    /// The places a node could give to another node that already holds that partition but is not chosen
    /// for it. A learner keeps its place: it is a move under way.
    /// </summary>
    private static Func<NodeId, IEnumerable<(int Partition, NodeId To)>> HandOversToHolders(
        RingState current, List<NodeId>[] targets, Dictionary<NodeId, int> load)
    {
        var withSpareHolder = Enumerable.Range(0, targets.Length)
            .Where(p => current[p].Replicas.Any(h => load.ContainsKey(h) && !targets[p].Contains(h)))
            .ToList();
        return from => withSpareHolder
            .Where(p => targets[p].Contains(from) && !current[p].IsLearner(from))
            .SelectMany(p => current[p].Replicas
                .Where(h => load.ContainsKey(h) && !targets[p].Contains(h))
                .Select(h => (p, h)));
    }

    /// <summary>How much data a move of one replica of a partition from one node to another would copy: cheapest first.</summary>
    private static int MoveCost(ReplicaSet set, NodeId from, NodeId to)
    {
        if (set.IsInSync(to))
            return 0; // It already holds the partition in sync: the move only changes the plan.
        if (set.IsLearner(to))
            return 1;
        if (!set.Contains(from))
            return 2; // Placed by this plan, not yet real.
        if (set.IsLearner(from))
            return 3;
        return set.Primary == from ? 5 : 4;
    }

    /// <param name="nodes">Every Up node, leaving ones included (they may still lead until their replacements are in sync).</param>
    private static NodeId?[] ChoosePrimaries(RingState current, NodeId[] nodes, List<NodeId>[] targets, List<NodeId>[] inSync)
    {
        var count = nodes.ToDictionary(n => n, _ => 0);
        var primaries = new NodeId?[inSync.Length];
        for (var p = 0; p < primaries.Length; p++)
        {
            if (current[p].Primary is { } primary && inSync[p].Contains(primary))
            {
                primaries[p] = primary;
                if (count.ContainsKey(primary)) // a gone primary is kept (see Plan), but leads nothing here
                    count[primary]++;
            }
        }

        for (var p = 0; p < primaries.Length; p++)
        {
            if (primaries[p] is not null || inSync[p].Count == 0)
                continue;
            // Prefer a replica the partition keeps over one it is about to drop.
            var kept = inSync[p].Where(targets[p].Contains).ToList();
            var primary = (kept.Count > 0 ? kept : inSync[p])
                .OrderBy(n => count[n])
                .ThenBy(n => StableHash.Of(p, n))
                .First();
            primaries[p] = primary;
            count[primary]++;
        }

        // Leadership moves only to an in-sync replica the partition keeps.
        var mayLead = Enumerable.Range(0, inSync.Length).SelectMany(p => inSync[p].Where(targets[p].Contains)).Distinct().ToList();
        while (HandOverChain.Find(nodes, mayLead, count, LeadershipHandOvers(targets, inSync, primaries)) is { } chain)
        {
            foreach (var step in chain)
                primaries[step.Partition] = step.To;
            count[chain[0].From]--;
            count[chain[^1].To]++;
        }
        return primaries;
    }

    /// <summary>The partitions a node leads, each with the in-sync replicas it keeps that could lead instead.</summary>
    private static Func<NodeId, IEnumerable<(int Partition, NodeId To)>> LeadershipHandOvers(
        List<NodeId>[] targets, List<NodeId>[] inSync, NodeId?[] primaries)
    {
        var led = Enumerable.Range(0, primaries.Length).Where(p => primaries[p] is not null).ToLookup(p => primaries[p]!.Value);
        return from => led[from].SelectMany(p => inSync[p].Where(n => n != from && targets[p].Contains(n)).Select(n => (p, n)));
    }
}
