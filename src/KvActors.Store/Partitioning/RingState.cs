using System.Collections.Immutable;

namespace KvActors.Store.Partitioning;

/// <summary>
/// The partition map at one epoch: for each of P partitions its <see cref="ReplicaSet"/>. Immutable with
/// value equality; every change yields a new ring with a higher epoch, which is what fences stale work.
/// </summary>
public sealed class RingState : IEquatable<RingState>
{
    public RingState(long epoch, int partitionCount, int replicationFactor, IEnumerable<ReplicaSet> partitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var problem = PartitionCountRule.Problem(partitionCount);
        if (problem is not null)
            throw new ArgumentOutOfRangeException(nameof(partitionCount), partitionCount, problem);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        Partitions = [.. partitions];
        if (Partitions.Length != partitionCount)
            throw new ArgumentException($"A ring of {partitionCount} partitions needs {partitionCount} replica sets, not {Partitions.Length}.", nameof(partitions));
        Epoch = epoch;
        PartitionCount = partitionCount;
        ReplicationFactor = replicationFactor;
    }

    /// <summary>The ring before the cluster is formed: epoch 0, no replica anywhere.</summary>
    public static RingState Empty(int partitionCount = PartitionCountRule.Default, int replicationFactor = 3) =>
        new(0, partitionCount, replicationFactor, Enumerable.Repeat(ReplicaSet.Empty, partitionCount));

    public long Epoch { get; }

    public int PartitionCount { get; }

    public int ReplicationFactor { get; }

    /// <summary>Indexed by partition number.</summary>
    public ImmutableArray<ReplicaSet> Partitions { get; }

    public ReplicaSet this[int partition] => Partitions[partition];

    /// <summary>True before the first ring is formed: no partition has a replica.</summary>
    public bool IsUnformed => Partitions.All(set => set.IsEmpty);

    /// <summary>Every node that holds at least one replica, in node order.</summary>
    public IReadOnlyList<NodeId> Nodes => Partitions.SelectMany(set => set.Replicas).Distinct().Order().ToList();

    /// <summary>This ring at the next epoch with one partition's replica set replaced.</summary>
    public RingState WithPartition(int partition, ReplicaSet replicas) =>
        new(Epoch + 1, PartitionCount, ReplicationFactor, Partitions.SetItem(partition, replicas));

    /// <summary>Per node, how many partitions it leads, follows in sync and learns (for balance and `kv ring show`).</summary>
    public IReadOnlyDictionary<NodeId, NodeLoad> Loads()
    {
        var loads = new SortedDictionary<NodeId, NodeLoad>();
        NodeLoad Of(NodeId node) => loads.TryGetValue(node, out var load) ? load : default;
        foreach (var set in Partitions)
        {
            for (var i = 0; i < set.InSync.Length; i++)
            {
                var load = Of(set.InSync[i]);
                loads[set.InSync[i]] = i == 0 ? load with { Primaries = load.Primaries + 1 } : load with { Followers = load.Followers + 1 };
            }
            foreach (var learner in set.Learners)
                loads[learner] = Of(learner) with { Learners = Of(learner).Learners + 1 };
        }
        return loads;
    }

    public bool Equals(RingState? other) =>
        other is not null
        && Epoch == other.Epoch
        && SamePlacementAs(other);

    /// <summary>Equal in everything but the epoch.</summary>
    public bool SamePlacementAs(RingState other) =>
        PartitionCount == other.PartitionCount
        && ReplicationFactor == other.ReplicationFactor
        && Partitions.SequenceEqual(other.Partitions);

    public override bool Equals(object? obj) => Equals(obj as RingState);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Epoch);
        hash.Add(PartitionCount);
        hash.Add(ReplicationFactor);
        foreach (var set in Partitions)
            hash.Add(set);
        return hash.ToHashCode();
    }

    public override string ToString() => $"ring epoch {Epoch}, {PartitionCount} partitions, RF {ReplicationFactor}";
}
