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

    /// <summary>Notes a Put, Delete, Noop, Truncate or Mark (a Drop is the partition's business, not the segment's).</summary>
    public void Add(int partition, OperationKind kind, long seq, long position)
    {
        var span = Spans.TryGetValue(partition, out var s) ? s : new PartitionSpan(PartitionSpan.NoData, PartitionSpan.NoData, position);
        Spans[partition] = kind is OperationKind.Put or OperationKind.Delete or OperationKind.Noop
            ? span with
            {
                MinSeq = span.HasData ? Math.Min(span.MinSeq, seq) : seq,
                MaxSeq = span.HasData ? Math.Max(span.MaxSeq, seq) : seq,
                LastPosition = position,
            }
            : span with { LastPosition = position, LastControlPosition = position };
    }
}

/// <summary>What the engine knows about one partition's data on disk.</summary>
internal sealed class PartitionInfo
{
    public SnapshotHeader? Snapshot;
    public string? SnapshotPath;
    public long LastDropPosition = -1;
    public long LastRecordPosition = -1;
    /// <summary>The highest mark logged since the last Drop, with the snapshot's: what the next snapshot stores.</summary>
    public ReplicaMark Mark;
    /// <summary>Truncate records since the last Drop still in the log, oldest first (catch-up reads apply them).</summary>
    public List<(long Position, long Seq)> Truncations = new();

    public bool HasData => Snapshot is not null || LastRecordPosition > LastDropPosition;

    /// <summary>
    /// The log after this seq, though the snapshot covers it, stays for catch-up (the previous snapshot the partition
    /// saved, as the last save said); null: none. Not kept across a restart.
    /// </summary>
    public long? KeptLogAfter;

    /// <summary>Catch-up from before this seq needs the snapshot: the log may no longer hold those records.</summary>
    public long CatchUpFloor => Math.Min(KeptLogAfter ?? long.MaxValue, Snapshot?.Seq ?? 0);

    public PartitionCoverage Coverage => new(Snapshot is null ? -1 : CatchUpFloor, LastDropPosition, Snapshot?.LogPosition ?? -1);

    /// <summary>Notes a record of this partition the log now holds at <paramref name="position"/>.</summary>
    public void OnRecord(OperationKind kind, long seq, long epoch, long position)
    {
        switch (kind)
        {
            case OperationKind.Drop:
                LastDropPosition = position;
                Mark = ReplicaMark.None;
                Truncations.Clear();
                return;
            case OperationKind.Truncate:
                Truncations.Add((position, seq));
                break;
            case OperationKind.Mark:
                Mark = Mark.Max(new ReplicaMark(epoch, seq));
                break;
        }
        LastRecordPosition = position;
    }
}
