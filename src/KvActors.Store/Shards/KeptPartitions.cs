using KvActors.Store.Partitioning;

namespace KvActors.Store.Shards;

/// <summary>
/// The partitions whose storage a node keeps although the ring no longer gives them to it, and until when. Pure: time
/// is passed in (ms of a monotonic clock).
/// </summary>
/// <remarks>
/// A node the ring leaves out of a partition usually gets it back soon: a restarted or briefly silent replica is dropped
/// from the in-sync set and then added again as a learner. Kept storage lets its replica start from what it had, so the
/// primary sends only what it missed instead of the whole partition. A kept copy is dropped once
/// <see cref="KeepFor"/> has passed, or as soon as a ring shows the partition settled without this node (a full in-sync
/// set and no learners: nothing is being rebuilt, so the node is not about to get it back), so disk does not grow without
/// bound. A kept copy may hold prepared entries of epochs it missed: the replica reconciles them when it comes back, as
/// a restarted replica does (<see cref="Replication.PartitionReplica"/>'s backup path truncates what the primary lacks).
/// </remarks>
public sealed class KeptPartitions(NodeId self, TimeSpan keepFor)
{
    private readonly Dictionary<int, long> _until = new();

    public TimeSpan KeepFor { get; } = keepFor;

    /// <summary>The partitions kept now, in no particular order.</summary>
    public IReadOnlyCollection<int> Kept => _until.Keys;

    /// <summary>
    /// The node stopped holding <paramref name="partition"/> (or found it on disk without holding it) at
    /// <paramref name="now"/>: true if its storage is kept, false if it should be dropped now.
    /// </summary>
    public bool Lost(int partition, RingState? ring, long now)
    {
        if (KeepFor <= TimeSpan.Zero || (ring is not null && SettledWithoutSelf(ring, partition)))
        {
            _until.Remove(partition);
            return false;
        }
        _until.TryAdd(partition, now + (long)KeepFor.TotalMilliseconds);
        return true;
    }

    /// <summary>The node holds <paramref name="partition"/> again: its kept storage is now its replica's, not to be dropped.</summary>
    public bool Regained(int partition) => _until.Remove(partition);

    /// <summary>
    /// The kept partitions to drop now, forgotten here: those whose time has run out at <paramref name="now"/> and, given
    /// a <paramref name="ring"/>, those it shows settled without this node.
    /// </summary>
    public IReadOnlyList<int> Due(RingState? ring, long now)
    {
        List<int>? due = null;
        foreach (var (partition, until) in _until)
            if (now >= until || (ring is not null && SettledWithoutSelf(ring, partition)))
                (due ??= new List<int>()).Add(partition);
        if (due is null)
            return Array.Empty<int>();
        foreach (var partition in due)
            _until.Remove(partition);
        return due;
    }

    private bool SettledWithoutSelf(RingState ring, int partition)
    {
        if (partition >= ring.PartitionCount)
            return true; // a partition of another layout (the ring's P differs): never held again
        var set = ring[partition];
        return !set.Contains(self) && set.Learners.IsEmpty && set.InSync.Length >= ring.ReplicationFactor;
    }
}
