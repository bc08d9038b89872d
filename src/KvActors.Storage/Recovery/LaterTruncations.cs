namespace KvActors.Storage.Recovery;

/// <summary>
/// Answers "does a Truncate logged after this record void it?" for a catch-up read that walks the log once, oldest
/// first, and must stop after a number of records: the engine keeps every Truncate still in the log, so the reader
/// knows the later ones in advance. Pure.
/// </summary>
internal sealed class LaterTruncations
{
    private readonly long[] _positions;
    /// <summary>_lowestSeqFrom[i]: the lowest seq truncated to by truncation i or any later one.</summary>
    private readonly long[] _lowestSeqFrom;

    /// <param name="truncations">Positions (ascending) and seqs of the Truncate records.</param>
    public LaterTruncations(IReadOnlyList<(long Position, long Seq)> truncations)
    {
        _positions = new long[truncations.Count];
        _lowestSeqFrom = new long[truncations.Count];
        var lowest = long.MaxValue;
        for (var i = truncations.Count - 1; i >= 0; i--)
        {
            _positions[i] = truncations[i].Position;
            lowest = Math.Min(lowest, truncations[i].Seq);
            _lowestSeqFrom[i] = lowest;
        }
    }

    /// <summary>True when a Truncate after <paramref name="position"/> cut the log below <paramref name="seq"/>.</summary>
    public bool Voids(long position, long seq)
    {
        if (_positions.Length == 0) return false;
        var i = Array.BinarySearch(_positions, position);
        var firstLater = i >= 0 ? i + 1 : ~i;
        return firstLater < _positions.Length && _lowestSeqFrom[firstLater] < seq;
    }
}
