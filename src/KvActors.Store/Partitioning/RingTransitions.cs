namespace KvActors.Store.Partitioning;

/// <summary>
/// The single-partition ring changes the RingManager makes between plans, each at the next epoch:
/// a caught-up learner joins the in-sync set, a silent replica leaves it, a replica takes over as primary.
/// A replica taken out of the in-sync set stays as a learner, so it catches up when it is heard from
/// again instead of the partition being placed elsewhere; <see cref="RingPlanner.Plan"/> removes it if its node leaves.
/// </summary>
public static class RingTransitions
{
    /// <summary>
    /// <paramref name="node"/> has caught up: it becomes in-sync (primary if the partition had no in-sync
    /// replica left, which only the RingManager can judge safe). Plan again afterwards: once every
    /// learner of a partition is in sync, the plan drops the replicas they were added to replace.
    /// </summary>
    public static RingChange PromoteLearner(RingState ring, int partition, NodeId node)
    {
        var set = SetOf(ring, partition);
        if (!set.IsLearner(node))
            return RingChange.Refused(ring, $"{node} is not a learner of partition {partition} at epoch {ring.Epoch}, so it cannot be promoted: fetch the current ring and retry.");
        return RingChange.To(ring.WithPartition(partition,
            new ReplicaSet([.. set.InSync, node], set.Learners.Remove(node))));
    }

    /// <summary>
    /// The primary reports <paramref name="node"/> silent: writes stop waiting for it. It stays as a learner.
    /// The primary itself is replaced with <see cref="Failover"/>, not dropped.
    /// </summary>
    public static RingChange DropReplica(RingState ring, int partition, NodeId node)
    {
        var set = SetOf(ring, partition);
        if (set.Primary == node)
            return RingChange.Refused(ring, $"{node} is the primary of partition {partition}: replace it with a failover to an in-sync replica instead of dropping it.");
        if (!set.IsInSync(node))
            return RingChange.Refused(ring, $"{node} is not an in-sync replica of partition {partition} at epoch {ring.Epoch}, so there is nothing to drop: fetch the current ring and retry.");
        return RingChange.To(ring.WithPartition(partition,
            new ReplicaSet(set.InSync.Remove(node), [.. set.Learners, node])));
    }

    /// <summary>
    /// <paramref name="newPrimary"/>, an in-sync replica, becomes primary. The old primary becomes a learner:
    /// it may hold writes that never committed, so it must reconcile with the new primary before it is in sync again.
    /// </summary>
    public static RingChange Failover(RingState ring, int partition, NodeId newPrimary)
    {
        var set = SetOf(ring, partition);
        if (set.Primary == newPrimary)
            return RingChange.To(ring);
        if (!set.IsInSync(newPrimary))
            return RingChange.Refused(ring, $"{newPrimary} is not an in-sync replica of partition {partition} at epoch {ring.Epoch}, so it may lack committed writes and cannot become primary: choose one of {string.Join(", ", set.InSync)}.");
        var oldPrimary = set.Primary!.Value;
        return RingChange.To(ring.WithPartition(partition,
            new ReplicaSet([newPrimary, .. set.InSync.Remove(newPrimary).Remove(oldPrimary)], [.. set.Learners, oldPrimary])));
    }

    /// <summary>Partitions with fewer in-sync replicas than the replication factor (all of them while the cluster has fewer nodes than RF).</summary>
    public static IReadOnlyList<int> UnderReplicated(RingState ring) =>
        Enumerable.Range(0, ring.PartitionCount).Where(p => ring[p].InSync.Length < ring.ReplicationFactor).ToList();

    /// <summary>Partitions with no in-sync replica, hence no primary: they cannot serve until a replica is promoted.</summary>
    public static IReadOnlyList<int> WithoutPrimary(RingState ring) =>
        Enumerable.Range(0, ring.PartitionCount).Where(p => ring[p].Primary is null).ToList();

    private static ReplicaSet SetOf(RingState ring, int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, ring.PartitionCount);
        return ring[partition];
    }
}
