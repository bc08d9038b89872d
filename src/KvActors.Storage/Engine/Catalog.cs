using System.Runtime.InteropServices;
using KvActors.Storage.Format;
using KvActors.Storage.Recovery;

namespace KvActors.Storage.Engine;

/// <summary>
/// One log segment the engine knows of, per partition which records it holds, and where in it a catch-up read of a
/// partition may start: every <paramref name="indexInterval"/>-th Put, Delete or Noop of the partition in this segment
/// (its first included) is kept as (seq, position).
/// </summary>
internal sealed class SegmentEntry(long index, string path, int indexInterval)
{
    private readonly Dictionary<int, SeqIndex> _seqIndex = new();

    public long Index { get; } = index;
    public string Path { get; } = path;
    public bool Sealed { get; set; }
    public Dictionary<int, PartitionSpan> Spans { get; } = new();

    /// <summary>
    /// The position at which a read of <paramref name="partition"/>'s records from seq <paramref name="fromSeq"/> on may
    /// start in this segment: the last indexed record at or below that seq (every record valid at or above it was logged
    /// later: writing a seq again takes a truncation below it first, which voids what it had), else the partition's
    /// first record here; -1 when the partition has no record here.
    /// </summary>
    public long ReadStart(int partition, long fromSeq)
    {
        if (!_seqIndex.TryGetValue(partition, out var index) || index.Samples is not { Count: > 0 } samples) return -1;
        var start = samples[0].Position;
        foreach (var (seq, position) in samples)
            if (seq <= fromSeq && position > start) start = position;
        return start;
    }

    /// <summary>Notes a Put, Delete, Noop, Truncate or Mark (a Drop is the partition's business, not the segment's).</summary>
    public void Add(int partition, OperationKind kind, long seq, long position)
    {
        var span = Spans.TryGetValue(partition, out var s) ? s : new PartitionSpan(PartitionSpan.NoData, PartitionSpan.NoData, position);
        if (kind is OperationKind.Put or OperationKind.Delete or OperationKind.Noop)
        {
            ref var seqIndex = ref CollectionsMarshal.GetValueRefOrAddDefault(_seqIndex, partition, out _);
            if (seqIndex.Records++ % indexInterval == 0) (seqIndex.Samples ??= []).Add((seq, position));
        }
        Spans[partition] = kind is OperationKind.Put or OperationKind.Delete or OperationKind.Noop
            ? span with
            {
                MinSeq = span.HasData ? Math.Min(span.MinSeq, seq) : seq,
                MaxSeq = span.HasData ? Math.Max(span.MaxSeq, seq) : seq,
                LastPosition = position,
            }
            : span with { LastPosition = position, LastControlPosition = position };
    }

    private struct SeqIndex
    {
        public int Records;
        public List<(long Seq, long Position)>? Samples;
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
