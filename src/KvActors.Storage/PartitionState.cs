namespace KvActors.Storage;

/// <summary>
/// A partition as recovered from disk: its newest snapshot (seq, epoch, the caller's tag and every key in it), the
/// records logged after the snapshot (oldest first, truncations already applied) and the highest <see cref="ReplicaMark"/>.
/// </summary>
public sealed class PartitionState
{
    private Dictionary<byte[], byte[]>? _entries;

    public PartitionState(int partition, long snapshotSeq, long snapshotEpoch, ReadOnlyMemory<byte> snapshotTag,
        Dictionary<byte[], byte[]> snapshotEntries, IReadOnlyList<LogRecord> records, ReplicaMark mark,
        Dictionary<byte[], long>? snapshotExpiries = null)
    {
        SnapshotExpiries = snapshotExpiries ?? new Dictionary<byte[], long>(ByteArrayComparer.Instance);
        Partition = partition;
        SnapshotSeq = snapshotSeq;
        SnapshotEpoch = snapshotEpoch;
        SnapshotTag = snapshotTag;
        SnapshotEntries = snapshotEntries;
        Records = records;
        Mark = mark;
    }

    public int Partition { get; }

    /// <summary>The seq the snapshot reflects; 0 without a snapshot.</summary>
    public long SnapshotSeq { get; }

    /// <summary>The epoch of the record at <see cref="SnapshotSeq"/>, as given to <see cref="IStorageEngine.SaveSnapshotAsync"/>.</summary>
    public long SnapshotEpoch { get; }

    /// <summary>The caller's opaque bytes saved with the snapshot.</summary>
    public ReadOnlyMemory<byte> SnapshotTag { get; }

    /// <summary>Key -> value at <see cref="SnapshotSeq"/>, keyed by content (<see cref="ByteArrayComparer"/>). The caller owns it.</summary>
    public Dictionary<byte[], byte[]> SnapshotEntries { get; }

    /// <summary>The expiry (Unix ms) of each key of <see cref="SnapshotEntries"/> that has one. The caller owns it.</summary>
    public Dictionary<byte[], long> SnapshotExpiries { get; }

    /// <summary>Every record after the snapshot that no truncation or drop voided, in seq order.</summary>
    public IReadOnlyList<LogRecord> Records { get; }

    /// <summary>The highest epoch and commit point recorded; <see cref="ReplicaMark.None"/> if none was.</summary>
    public ReplicaMark Mark { get; }

    /// <summary>The highest seq reflected in <see cref="Entries"/>; 0 for a partition with nothing on disk.</summary>
    public long LastSeq => Records.Count > 0 ? Records[^1].Seq : SnapshotSeq;

    /// <summary>
    /// The snapshot with every record applied, as a new dictionary (computed once). A view for tools and tests: it
    /// includes records after the commit point, which only the replication layer can tell are committed.
    /// </summary>
    public Dictionary<byte[], byte[]> Entries => _entries ??= Apply();

    public static PartitionState Empty(int partition) =>
        new(partition, 0, 0, ReadOnlyMemory<byte>.Empty, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance), Array.Empty<LogRecord>(), ReplicaMark.None);

    private Dictionary<byte[], byte[]> Apply()
    {
        var entries = new Dictionary<byte[], byte[]>(SnapshotEntries, ByteArrayComparer.Instance);
        foreach (var record in Records)
        {
            if (record.Kind == OperationKind.Put) entries[record.Key.ToArray()] = record.Value.ToArray();
            else if (record.Kind == OperationKind.Delete) entries.Remove(record.Key.ToArray());
        }
        return entries;
    }
}
