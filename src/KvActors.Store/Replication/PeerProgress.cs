namespace KvActors.Store.Replication;

/// <summary>What the primary knows about one replica or learner in the current epoch. Reset at every epoch.</summary>
internal sealed class PeerProgress(long now)
{
    /// <summary>The replica's log matches the primary's through this seq; -1 until it answers in this epoch.</summary>
    public long MatchedThrough { get; set; } = -1;

    /// <summary>
    /// While the log on disk is read for the replica (it needs entries the log in memory no longer holds): the seq the
    /// read starts after; nothing else is sent it until the answer comes. -1 when no read is under way.
    /// </summary>
    public long ReadingLogAfter { get; set; } = -1;

    /// <summary>One past the last entry sent (entries are pipelined ahead of acknowledgements).</summary>
    public long NextSeq { get; set; }

    public long LastSentAt { get; set; } = long.MinValue;

    /// <summary>Last time the replica answered at all.</summary>
    public long LastAckAt { get; set; } = now;

    /// <summary>Send time of the newest message the replica acknowledged: the lease from it runs until this + lease period.</summary>
    public long LeaseSentAt { get; set; } = long.MinValue;

    /// <summary>Since when the replica has been behind the primary's log without progress; null while it has everything.</summary>
    public long? WaitingSince { get; set; } = now;

    /// <summary>Last time the primary reported this replica (silent, or caught up) to the manager.</summary>
    public long LastReportAt { get; set; } = long.MinValue;
}
