namespace KvActors.Storage.Recovery;

/// <summary>
/// One partition's log replayed on top of (but apart from) its snapshot: the latest value or deletion of each key
/// the log touched after the snapshot's seq. Kept apart so a Drop can void it without reloading the snapshot.
/// </summary>
internal sealed class PartitionReplay
{
    /// <summary>Stands for "deleted" in <see cref="Changes"/> (compared by reference).</summary>
    public static readonly byte[] Tombstone = new byte[0];

    public PartitionReplay(int partition, long baseSeq, bool useSnapshot)
    {
        Partition = partition;
        BaseSeq = baseSeq;
        UseSnapshot = useSnapshot;
        LastSeq = baseSeq;
    }

    public int Partition { get; }
    /// <summary>Records at or below this seq are already in the snapshot.</summary>
    public long BaseSeq { get; private set; }
    public bool UseSnapshot { get; private set; }
    public long LastSeq { get; private set; }
    public long LastDropPosition { get; private set; } = -1;
    public Dictionary<byte[], byte[]> Changes { get; private set; } = new(ByteArrayComparer.Instance);
    public StorageException? Damage { get; set; }

    /// <summary>Records the operation; the key is copied only the first time this key is seen.</summary>
    public void Apply(OperationKind kind, long seq, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (seq <= BaseSeq) return;
        var lookup = Changes.GetAlternateLookup<ReadOnlySpan<byte>>();
        lookup[key] = kind == OperationKind.Delete ? Tombstone : value.ToArray();
        if (seq > LastSeq) LastSeq = seq;
    }

    /// <summary>A Drop voids everything logged before it, and the snapshot too when the snapshot is older.</summary>
    public void Drop(long position, long snapshotPosition)
    {
        LastDropPosition = position;
        Changes = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        Damage = null;
        if (snapshotPosition < position)
        {
            UseSnapshot = false;
            BaseSeq = 0;
        }
        LastSeq = BaseSeq;
    }
}
