using Akka.Actor;

namespace KvActors.Store.Shards;

/// <summary>
/// The shard host's count of partitions still loading from storage, so it can say once when the last of a burst has
/// loaded and how long the burst took (the figure a restart's recovery is judged by). Pure: time is passed in (ms).
/// </summary>
internal sealed class PartitionLoads
{
    private readonly HashSet<IActorRef> _loading = new();
    private long _burstStartMs;
    private int _burstCount;

    /// <summary>A shard was created and is loading.</summary>
    public void Started(IActorRef shard, long nowMs)
    {
        if (_loading.Count == 0)
        {
            _burstStartMs = nowMs;
            _burstCount = 0;
        }
        if (_loading.Add(shard)) _burstCount++;
    }

    /// <summary>A shard loaded (or stopped before it did).</summary>
    /// <returns>The burst's partition count and duration when this was its last shard; otherwise null.</returns>
    public (int Partitions, long ElapsedMs)? Finished(IActorRef shard, long nowMs)
    {
        if (!_loading.Remove(shard) || _loading.Count > 0) return null;
        return (_burstCount, nowMs - _burstStartMs);
    }
}
