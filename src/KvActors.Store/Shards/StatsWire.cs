using KvActors.Store.Replication;
using KvActors.Store.Wire.Admin;

namespace KvActors.Store.Shards;

/// <summary>The store statistics to and from their wire form (admin.proto). Pure.</summary>
public static class StatsWire
{
    /// <summary>How long a node waits for its partitions when the request does not say.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The request's timeout, within 1 ms..30 s; <see cref="DefaultTimeout"/> for 0 or less.</summary>
    public static TimeSpan Timeout(long timeoutMs) =>
        timeoutMs <= 0 ? DefaultTimeout : TimeSpan.FromMilliseconds(Math.Min(timeoutMs, (long)MaxTimeout.TotalMilliseconds));

    public static StoreStatsReply ToReply(string node, long ringEpoch, NodeStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return new StoreStatsReply
        {
            Node = node,
            RingEpoch = ringEpoch,
            Primaries = stats.Primaries,
            Replicas = stats.Replicas,
            Learners = stats.Learners,
            Keys = stats.Keys,
            Bytes = stats.Bytes,
            ReplicationLag = stats.ReplicationLag,
            Unanswered = stats.Unanswered,
            PrimaryKeys = stats.PrimaryKeys,
            PrimaryExpiringKeys = stats.PrimaryExpiringKeys,
            SnapshotsInstalled = stats.SnapshotsInstalled,
        };
    }

    public static PartitionStatsReply NotHeld(string node, int partition) => new() { Node = node, Partition = partition };

    public static PartitionStatsReply Unanswered(string node, int partition) => new() { Node = node, Partition = partition, Held = true, Unanswered = true };

    public static PartitionStatsReply ToReply(string node, PartitionStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var reply = new PartitionStatsReply
        {
            Node = node,
            Partition = stats.Partition,
            Held = true,
            Role = RoleName(stats.Role),
            Epoch = stats.Epoch,
            LastPreparedSeq = stats.LastSeq,
            CommittedSeq = stats.CommitPoint,
            Keys = stats.Keys,
            Bytes = stats.Bytes,
            ReplicationLag = stats.ReplicationLag,
        };
        reply.Acks.AddRange(stats.Acked.OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => new ReplicaAck { Node = a.Key, AckedSeq = a.Value }));
        return reply;
    }

    /// <summary>The role as `kv` prints it: primary, in-sync, learner, waiting, not-member.</summary>
    public static string RoleName(ReplicaRole role) => role switch
    {
        ReplicaRole.Primary => "primary",
        ReplicaRole.InSync => "in-sync",
        ReplicaRole.Learner => "learner",
        ReplicaRole.Waiting => "waiting",
        _ => "not-member",
    };
}
