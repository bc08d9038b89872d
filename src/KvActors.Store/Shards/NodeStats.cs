using KvActors.Store.Replication;

namespace KvActors.Store.Shards;

/// <summary>
/// The partitions one node holds, summed: replicas by the role each adopted, keys and bytes over all of them (a key
/// counts once per replica), and the largest replication lag among its primaries (see <see cref="PartitionStats"/>).
/// </summary>
/// <param name="Unanswered">Partitions held that did not report in time; they are not in the other figures.</param>
/// <param name="PrimaryKeys">Keys of the partitions this node is primary of (each key once: DBSIZE's count).</param>
/// <param name="PrimaryExpiringKeys">Of those, the keys with an expiry (INFO keyspace's expires=).</param>
/// <param name="SnapshotsInstalled">Snapshots the partitions' replicas installed from their primaries, summed.</param>
public sealed record NodeStats(int Primaries, int Replicas, int Learners, long Keys, long Bytes, long ReplicationLag, int Unanswered, long PrimaryKeys = 0, long PrimaryExpiringKeys = 0, long SnapshotsInstalled = 0)
{
    public static NodeStats Aggregate(IEnumerable<PartitionStats> partitions, int unanswered)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        int primaries = 0, replicas = 0, learners = 0;
        long keys = 0, bytes = 0, lag = 0, primaryKeys = 0, primaryExpiring = 0, snapshots = 0;
        foreach (var p in partitions)
        {
            switch (p.Role)
            {
                case ReplicaRole.Primary: primaries++; primaryKeys += p.Keys; primaryExpiring += p.ExpiringKeys; break;
                case ReplicaRole.InSync: replicas++; break;
                case ReplicaRole.Learner: learners++; break;
            }
            keys += p.Keys;
            bytes += p.Bytes;
            lag = Math.Max(lag, p.ReplicationLag);
            snapshots += p.SnapshotsInstalled;
        }
        return new NodeStats(primaries, replicas, learners, keys, bytes, lag, unanswered, primaryKeys, primaryExpiring, snapshots);
    }
}
