namespace KvActors.Store.Partitioning;

/// <summary>
/// Key -> slot -> partition for a fixed partition count P: each partition owns 16384 / P
/// consecutive slots, so a partition is a contiguous slot range and keys with one hash tag share it.
/// </summary>
public sealed class Partitioner
{
    public Partitioner(int partitionCount = PartitionCountRule.Default)
    {
        var problem = PartitionCountRule.Problem(partitionCount);
        if (problem is not null)
            throw new ArgumentOutOfRangeException(nameof(partitionCount), partitionCount, problem);
        PartitionCount = partitionCount;
        SlotsPerPartition = HashSlot.Count / partitionCount;
    }

    public int PartitionCount { get; }

    public int SlotsPerPartition { get; }

    public int PartitionOf(ReadOnlySpan<byte> key) => PartitionOfSlot(HashSlot.Of(key));

    public int PartitionOf(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return PartitionOf(key.AsSpan());
    }

    /// <summary>The partition of a string key, hashed as its UTF-8 bytes.</summary>
    public int PartitionOf(string key) => PartitionOfSlot(HashSlot.Of(key));

    public int PartitionOfSlot(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, HashSlot.Count);
        return slot / SlotsPerPartition;
    }

    public SlotRange SlotsOf(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, PartitionCount);
        var first = partition * SlotsPerPartition;
        return new SlotRange(first, first + SlotsPerPartition - 1);
    }
}
