namespace KvActors.Store.Shards;

/// <summary>What a partition's replica reported to the RingManager about another node, for the node's log.</summary>
public enum ShardReportKind
{
    /// <summary>A primary found in-sync replica <see cref="ShardReportNoted.Node"/> silent.</summary>
    ReplicaSilent,

    /// <summary>A replica suspects its primary <see cref="ShardReportNoted.Node"/> (nothing heard for the grace period).</summary>
    PrimarySuspected,
}

/// <summary>
/// ShardActor -> the node's EventStream -> <see cref="ShardReportLog"/>: one partition reported <paramref name="Node"/>
/// (host:port; "" when the replica knows no primary) at <paramref name="Epoch"/>.
/// </summary>
public sealed record ShardReportNoted(ShardReportKind Kind, int Partition, string Node, long Epoch);

/// <summary>
/// Gathers the reports of a node's partitions into one log line per kind and node: when a node dies every partition
/// it shared reports it on its own (85 of 256 partitions per surviving node in a 3-node cluster), and one line that
/// names the node and counts the partitions says the same.
/// </summary>
public sealed class ShardReportDigest
{
    private readonly Dictionary<(ShardReportKind Kind, string Node), Reported> _reports = new();

    public bool IsEmpty => _reports.Count == 0;

    public void Note(ShardReportNoted report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var key = (report.Kind, report.Node);
        if (!_reports.TryGetValue(key, out var reported))
            _reports[key] = reported = new Reported(report.Partition);
        reported.Partitions.Add(report.Partition);
        reported.MinEpoch = Math.Min(reported.MinEpoch, report.Epoch);
        reported.MaxEpoch = Math.Max(reported.MaxEpoch, report.Epoch);
    }

    /// <summary>One line per kind and node noted since the last call, silent replicas first, then by node; and forgets them.</summary>
    public IReadOnlyList<string> Drain()
    {
        var lines = _reports.OrderBy(r => r.Key.Kind).ThenBy(r => r.Key.Node, StringComparer.Ordinal)
            .Select(r => Line(r.Key.Kind, r.Key.Node, r.Value)).ToList();
        _reports.Clear();
        return lines;
    }

    private static string Line(ShardReportKind kind, string node, Reported r)
    {
        var epochs = r.MinEpoch == r.MaxEpoch ? $"epoch {r.MinEpoch}" : $"epochs {r.MinEpoch}-{r.MaxEpoch}";
        var where = r.Partitions.Count == 1 ? $"partition {r.First}" : $"{r.Partitions.Count} partitions";
        return kind switch
        {
            ShardReportKind.ReplicaSilent => $"In-sync replica {node} is silent in {where} at {epochs}; reported to the RingManager",
            _ => $"Suspecting primary {(node.Length == 0 ? "(unknown)" : node)} in {where} at {epochs} (nothing heard for the grace period); reported to the RingManager",
        };
    }

    private sealed class Reported(int first)
    {
        public int First { get; } = first;
        public HashSet<int> Partitions { get; } = [];
        public long MinEpoch { get; set; } = long.MaxValue;
        public long MaxEpoch { get; set; } = long.MinValue;
    }
}
