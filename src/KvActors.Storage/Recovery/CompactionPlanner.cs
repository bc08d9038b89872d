namespace KvActors.Storage.Recovery;

/// <summary>What one sealed segment holds for one partition.</summary>
public readonly record struct PartitionSpan(long MinSeq, long MaxSeq, long LastPosition);

/// <summary>What makes a partition's old records unnecessary: its snapshot's seq (-1 if none) and its last Drop.</summary>
public readonly record struct PartitionCoverage(long SnapshotSeq, long LastDropPosition);

/// <summary>
/// Decides which log segments may be deleted. Pure. Only a prefix of the sealed segments is ever deleted, oldest
/// first: that keeps "a Drop record voids everything before it" true even after the Drop's own segment is gone.
/// A segment goes when, for every partition in it, its records are older than that partition's last Drop or at or
/// below its snapshot's seq.
/// </summary>
public static class CompactionPlanner
{
    public static int DeletablePrefix(IReadOnlyList<IReadOnlyDictionary<int, PartitionSpan>> sealedSegmentsOldestFirst,
        Func<int, PartitionCoverage> coverage)
    {
        var count = 0;
        foreach (var segment in sealedSegmentsOldestFirst)
        {
            foreach (var (partition, span) in segment)
            {
                var c = coverage(partition);
                if (span.LastPosition < c.LastDropPosition || span.MaxSeq <= c.SnapshotSeq) continue;
                return count;
            }
            count++;
        }
        return count;
    }
}
