using System.Collections.Concurrent;

namespace KvActors.Store.Shards;

/// <summary>
/// How many replication items the node's ReplicatorActor holds queued per destination node. Written by the replicator,
/// read by the ShardActors so a primary pushes back (RetryLater) instead of queueing without limit. Thread-safe.
/// </summary>
public sealed class ReplicatorLoad(int congestedAt)
{
    private readonly ConcurrentDictionary<string, int> _queued = new(StringComparer.Ordinal);

    /// <summary>From this many queued items for a destination, it counts as congested.</summary>
    public int CongestedAt { get; } = congestedAt;

    public void Set(string destination, int queued) => _queued[destination] = queued;

    public int Queued(string destination) => _queued.TryGetValue(destination, out var queued) ? queued : 0;

    public bool IsCongested(string destination) => Queued(destination) >= CongestedAt;
}
