namespace KvActors.Store.Partitioning;

/// <summary>
/// A hash of (partition, node) that is the same in every process and every run (string.GetHashCode is
/// not): the planner breaks ties with it, so its choices spread across nodes yet replay exactly.
/// </summary>
internal static class StableHash
{
    public static ulong Of(int partition, NodeId node)
    {
        // FNV-1a over the partition number and the node's characters, then a SplitMix64 finish to mix the bits.
        var hash = 14695981039346656037UL;
        hash = (hash ^ (uint)partition) * 1099511628211UL;
        foreach (var c in node.Value)
            hash = (hash ^ c) * 1099511628211UL;
        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return hash;
    }
}
