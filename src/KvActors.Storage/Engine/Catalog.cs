using KvActors.Storage.Format;
using KvActors.Storage.Recovery;

namespace KvActors.Storage.Engine;

/// <summary>One log segment the engine knows of, and per partition which records it holds.</summary>
internal sealed class SegmentEntry(long index, string path)
{
    public long Index { get; } = index;
    public string Path { get; } = path;
    public bool Sealed { get; set; }
    public Dictionary<int, PartitionSpan> Spans { get; } = new();

    public void Add(int partition, long seq, long position)
    {
        Spans[partition] = Spans.TryGetValue(partition, out var s)
            ? new PartitionSpan(Math.Min(s.MinSeq, seq), Math.Max(s.MaxSeq, seq), position)
            : new PartitionSpan(seq, seq, position);
    }
}

/// <summary>What the engine knows about one partition's data on disk.</summary>
internal sealed class PartitionInfo
{
    public SnapshotHeader? Snapshot;
    public string? SnapshotPath;
    public long LastDropPosition = -1;
    public long LastRecordPosition = -1;
    /// <summary>Records at or below this seq may be gone from the log; catch-up from before it needs a snapshot.</summary>
    public long CompactedThrough;

    public bool HasData => Snapshot is not null || LastRecordPosition > LastDropPosition;
    public PartitionCoverage Coverage => new(Snapshot?.Seq ?? -1, LastDropPosition);
}
