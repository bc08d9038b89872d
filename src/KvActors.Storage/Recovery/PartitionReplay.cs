using KvActors.Storage.Format;

namespace KvActors.Storage.Recovery;

/// <summary>
/// One partition's log replayed on top of (but apart from) its snapshot: the records logged after the snapshot's seq
/// that no Truncate or Drop voided, in log order, and the highest mark since the last Drop. Kept apart from the
/// snapshot so a Drop can void everything without reloading it.
/// </summary>
internal sealed class PartitionReplay
{
    private readonly List<LogRecord> _records = new();
    /// <summary>True while every record kept has a higher seq than the one before (the normal case).</summary>
    private bool _ascending = true;

    public PartitionReplay(int partition, SnapshotHeader? snapshot)
    {
        Partition = partition;
        Snapshot = snapshot;
        UseSnapshot = snapshot is not null;
    }

    public int Partition { get; }

    /// <summary>The snapshot the replay started from, if any.</summary>
    public SnapshotHeader? Snapshot { get; }

    /// <summary>False once a Drop at or after the snapshot's log position voided it.</summary>
    public bool UseSnapshot { get; private set; }

    /// <summary>Records at or below this seq are already in the snapshot.</summary>
    public long BaseSeq => UseSnapshot ? Snapshot!.Value.Seq : 0;

    public IReadOnlyList<LogRecord> Records => _records;

    /// <summary>The highest mark logged since the last Drop (without the snapshot's).</summary>
    public ReplicaMark LogMark { get; private set; }

    /// <summary>The highest mark: the log's, and the snapshot's while the snapshot counts.</summary>
    public ReplicaMark Mark => UseSnapshot ? LogMark.Max(Snapshot!.Value.Mark) : LogMark;

    public long LastDropPosition { get; private set; } = -1;
    public StorageException? Damage { get; set; }

    /// <summary>Keeps a Put, Delete or Noop above the snapshot's seq, copying key, tag and value into one array.</summary>
    public void Add(in RecordFrame frame, ReadOnlySpan<byte> frameBytes)
    {
        if (frame.Seq <= BaseSeq) return;
        var payload = frameBytes[frame.KeyOffset..frame.FrameLength].ToArray().AsMemory();
        var key = payload[..frame.KeyLength];
        var tag = payload.Slice(frame.KeyLength, frame.TagLength);
        var value = payload[(frame.KeyLength + frame.TagLength)..];
        if (_records.Count > 0 && _records[^1].Seq >= frame.Seq) _ascending = false;
        _records.Add(new LogRecord(Partition, frame.Seq, frame.Kind, key, value, frame.Epoch, tag, frame.ExpiresAtMs));
    }

    /// <summary>A Truncate voids the records logged before it with a seq above <paramref name="seq"/>.</summary>
    public void Truncate(long seq)
    {
        if (_ascending)
        {
            var keep = _records.Count;
            while (keep > 0 && _records[keep - 1].Seq > seq) keep--;
            _records.RemoveRange(keep, _records.Count - keep);
        }
        else
        {
            _records.RemoveAll(r => r.Seq > seq);
            _ascending = IsAscending(_records);
        }
    }

    public void RecordMark(ReplicaMark mark) => LogMark = LogMark.Max(mark);

    /// <summary>A Drop voids everything logged before it, and the snapshot too when the snapshot is not newer.</summary>
    public void Drop(long position)
    {
        LastDropPosition = position;
        _records.Clear();
        _ascending = true;
        LogMark = ReplicaMark.None;
        Damage = null;
        // The snapshot's position is where the log ended when it was taken: a Drop starting there came after it.
        if (Snapshot is { } s && s.LogPosition <= position) UseSnapshot = false;
    }

    /// <summary>
    /// Whether losing the unreadable record at <paramref name="position"/> (its header says seq <paramref name="seq"/>)
    /// cannot change this partition's state. True only if the snapshot was taken after it and covers its seq, and
    /// nothing logged since the snapshot's seq could have been affected by it: it may have been a Truncate, which would
    /// void the records kept so far, or (seq 0) a Drop, which would also void the marks.
    /// </summary>
    public bool IsCoveredDamage(long position, long seq) =>
        UseSnapshot && position < Snapshot!.Value.LogPosition && seq <= Snapshot.Value.Seq
        && _records.Count == 0 && (seq != 0 || LogMark == ReplicaMark.None);

    private static bool IsAscending(List<LogRecord> records)
    {
        for (var i = 1; i < records.Count; i++)
        {
            if (records[i - 1].Seq >= records[i].Seq) return false;
        }
        return true;
    }
}
