using System.Numerics;

namespace KvActors.Store.Partitioning;

/// <summary>
/// What a partition count P may be, and the refusal of a node configured with another P than the
/// cluster's ring: P is fixed when the cluster is first formed, since changing it would move every key.
/// </summary>
public static class PartitionCountRule
{
    public const int Default = 256;
    public const int Max = HashSlot.Count;

    public static bool IsValid(int partitionCount) =>
        partitionCount is >= 1 and <= Max && BitOperations.IsPow2(partitionCount);

    /// <summary>Null when <paramref name="partitionCount"/> is usable, else why not.</summary>
    public static string? Problem(int partitionCount) =>
        IsValid(partitionCount)
            ? null
            : $"The partition count must be a power of two between 1 and {Max} (it is {partitionCount}): choose one such as the default, {Default}.";

    /// <summary>Null when a node configured with <paramref name="configured"/> partitions may serve a ring of <paramref name="ringPartitionCount"/>, else why not.</summary>
    public static string? Mismatch(int configured, int ringPartitionCount) =>
        configured == ringPartitionCount
            ? null
            : $"This node is configured with {configured} partitions but the cluster's ring has {ringPartitionCount}, fixed when the cluster was formed: configure this node with {ringPartitionCount} partitions and start it again.";
}
