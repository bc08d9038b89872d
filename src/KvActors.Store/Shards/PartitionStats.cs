using Akka.Event;
using KvActors.Store.Replication;

namespace KvActors.Store.Shards;

/// <summary>
/// One partition's replica on one node as its <see cref="PartitionReplica"/> stands: role and epoch adopted, the last
/// prepared and committed seqs, keys and key+value bytes, and (as primary) what each other replica acknowledged.
/// </summary>
/// <param name="ReplicationLag">
/// Primary only: <see cref="LastSeq"/> minus the lowest seq any in-sync backup is known to hold (one that has not
/// answered in this epoch counts as holding the commit point); 0 on a backup or without in-sync backups.
/// </param>
/// <param name="Acked">Primary only: per other replica (in-sync and learners), the seq it is known to hold; -1 = no answer yet in this epoch.</param>
/// <param name="ExpiringKeys">Keys held that have an expiry (INFO keyspace's expires=).</param>
/// <param name="SnapshotsInstalled">Snapshots the replica installed from a primary since it started (<see cref="PartitionReplica.SnapshotsInstalled"/>).</param>
public sealed record PartitionStats(
    int Partition, ReplicaRole Role, long Epoch, long LastSeq, long CommitPoint, long Keys, long Bytes,
    long ReplicationLag, IReadOnlyDictionary<string, long> Acked, long ExpiringKeys = 0, long SnapshotsInstalled = 0) : IDeadLetterSuppression
{
    /// <summary>The figures of <paramref name="replica"/>, read without changing it.</summary>
    public static PartitionStats Of(int partition, PartitionReplica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var acked = replica.PeerMatchedThrough;
        long lag = 0;
        if (replica.Role == ReplicaRole.Primary && replica.Config is { InSync.Count: > 0 } config)
        {
            var slowest = config.InSync.Min(node => acked.TryGetValue(node, out var seq) && seq >= 0 ? seq : replica.CommitPoint);
            lag = Math.Max(0, replica.LastSeq - slowest);
        }
        return new PartitionStats(partition, replica.Role, replica.Epoch, replica.LastSeq, replica.CommitPoint,
            replica.State.Count, replica.State.Bytes, lag, acked, replica.State.ExpiringCount, replica.SnapshotsInstalled);
    }
}
