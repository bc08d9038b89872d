using KvActors.Store.Partitioning;

namespace KvActors.Store.Shards;

/// <summary>
/// The partitions a ring change moved off or back onto this node, gathered per kind of change so that the
/// <see cref="ShardHost"/> logs one line per kind rather than one per partition: a node leaving the cluster, or every
/// node when a new one joins, loses dozens to hundreds of partitions at once. Pure: the host logs what it takes.
/// </summary>
internal sealed class PartitionChangeLog
{
    private readonly Dictionary<string, List<int>> _pending = new(StringComparer.Ordinal);

    /// <param name="change">What happened to the partitions, worded for several (e.g. "no longer held by this node, their storage dropped").</param>
    public void Add(string change, int partition)
    {
        if (!_pending.TryGetValue(change, out var partitions))
            _pending[change] = partitions = [];
        partitions.Add(partition);
    }

    /// <summary>One line per kind of change gathered since the last take, e.g. "Partitions no longer held by this node, their storage dropped: 0-3, 9 (5)".</summary>
    public IReadOnlyList<string> Take()
    {
        var lines = _pending.Select(p => $"Partitions {p.Key}: {NumberRuns.Of(p.Value)} ({p.Value.Count})").ToList();
        _pending.Clear();
        return lines;
    }
}
