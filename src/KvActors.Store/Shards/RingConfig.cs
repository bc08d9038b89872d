using KvActors.Store.Partitioning;
using KvActors.Store.Replication;

namespace KvActors.Store.Shards;

/// <summary>What a partition's replica takes from a ring: the partition's configuration for <see cref="PartitionReplica.OnConfig"/>.</summary>
public static class RingConfig
{
    /// <summary>The configuration of <paramref name="partition"/> in <paramref name="ring"/>; null while the ring names no primary for it.</summary>
    public static PartitionConfig? Of(RingState ring, int partition)
    {
        var set = ring[partition];
        return set.Primary is not { } primary
            ? null
            : new PartitionConfig(ring.Epoch, primary.Value, set.InSync.Skip(1).Select(n => n.Value).ToArray(), set.Learners.Select(n => n.Value).ToArray());
    }
}
