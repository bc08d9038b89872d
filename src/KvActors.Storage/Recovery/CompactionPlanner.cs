namespace KvActors.Storage.Recovery;

/// <summary>
/// What one sealed segment holds for one partition: the seq range of its Puts and Deletes (<see cref="NoData"/> when
/// it has none), the position of its last record of any kind, and of its last Truncate or Mark (-1 when none).
/// </summary>
public readonly record struct PartitionSpan(long MinSeq, long MaxSeq, long LastPosition, long LastControlPosition = -1)
{
    /// <summary>MinSeq and MaxSeq of a span without Puts or Deletes: above and below every seq.</summary>
    public const long NoData = long.MinValue;

    public bool HasData => MaxSeq != NoData;
}

/// <summary>
/// What makes a partition's old records unnecessary: its snapshot's seq and log position (-1 if none) and its last Drop.
/// </summary>
public readonly record struct PartitionCoverage(long SnapshotSeq, long LastDropPosition, long SnapshotPosition = -1);

/// <summary>
/// Decides which log segments may be deleted. Pure. Only a prefix of the sealed segments is ever deleted, oldest
/// first: that keeps "a Drop (or a Truncate) voids what was logged before it" true after the record itself is gone,
/// because everything it voided went first. A segment goes when, for every partition in it, its records are older
/// than that partition's last Drop, or its Puts and Deletes are at or below the snapshot's seq and its Truncates and
/// Marks were logged before the snapshot was taken. The seq is not enough for those: a Mark's seq is a commit point,
/// which can equal the snapshot's seq although the Mark is newer; the snapshot holds only the marks logged before it.
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
                if (IsCovered(span, coverage(partition))) continue;
                return count;
            }
            count++;
        }
        return count;
    }

    public static bool IsCovered(PartitionSpan span, PartitionCoverage c)
    {
        if (span.LastPosition < c.LastDropPosition) return true;
        var dataCovered = !span.HasData || span.MaxSeq <= c.SnapshotSeq;
        var controlCovered = span.LastControlPosition < 0 || span.LastControlPosition < c.SnapshotPosition;
        return dataCovered && controlCovered;
    }
}
