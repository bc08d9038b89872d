namespace KvActors.Storage;

/// <summary>A partition's contents as recovered from disk: every live key with its value, and the last seq applied.</summary>
public sealed class PartitionState
{
    public PartitionState(int partition, long lastSeq, Dictionary<byte[], byte[]> entries)
    {
        Partition = partition;
        LastSeq = lastSeq;
        Entries = entries;
    }

    public int Partition { get; }

    /// <summary>The highest seq reflected in <see cref="Entries"/>; 0 for a partition with nothing on disk.</summary>
    public long LastSeq { get; }

    /// <summary>Key -> value, keyed by content (<see cref="ByteArrayComparer"/>). The caller owns it from now on.</summary>
    public Dictionary<byte[], byte[]> Entries { get; }

    public static PartitionState Empty(int partition) => new(partition, 0, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance));
}
