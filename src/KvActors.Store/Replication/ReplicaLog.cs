namespace KvActors.Store.Replication;

/// <summary>
/// A replica's prepared entries after its base (the seq its oldest kept snapshot covers). The state machine keeps this
/// copy in memory and tells the shell, through effects, to make the same changes durably.
/// </summary>
public sealed class ReplicaLog
{
    private readonly List<LogEntry> entries = new(); // entries[i].Seq == BaseSeq + 1 + i

    /// <summary>Entries up to here were discarded (a snapshot covers them).</summary>
    public long BaseSeq { get; private set; }

    /// <summary>The epoch of the entry at <see cref="BaseSeq"/> (0 for an empty partition), for consistency checks.</summary>
    public long BaseEpoch { get; private set; }

    public long LastSeq => BaseSeq + entries.Count;

    public long LastEpoch => entries.Count == 0 ? BaseEpoch : entries[^1].Epoch;

    public int Count => entries.Count;

    public IReadOnlyList<LogEntry> Entries => entries;

    public bool Contains(long seq) => seq > BaseSeq && seq <= LastSeq;

    public LogEntry this[long seq] => Contains(seq)
        ? entries[(int)(seq - BaseSeq - 1)]
        : throw new ArgumentOutOfRangeException(nameof(seq), $"seq {seq} is not in the log ({BaseSeq}, {LastSeq}].");

    /// <summary>The epoch of the entry at <paramref name="seq"/>, or null when the log does not know it.</summary>
    public long? EpochAt(long seq) => seq == BaseSeq ? BaseEpoch : Contains(seq) ? this[seq].Epoch : null;

    public void Append(LogEntry entry)
    {
        if (entry.Seq != LastSeq + 1)
            throw new InvalidOperationException($"append of seq {entry.Seq} after {LastSeq}");
        entries.Add(entry);
    }

    /// <summary>Drops every entry after <paramref name="seq"/> (never below the base).</summary>
    public void TruncateAfter(long seq)
    {
        if (seq < BaseSeq)
            throw new InvalidOperationException($"truncation to {seq} below the base {BaseSeq}");
        if (seq < LastSeq)
            entries.RemoveRange((int)(seq - BaseSeq), (int)(LastSeq - seq));
    }

    /// <summary>Drops the entries up to <paramref name="seq"/>, which becomes the base.</summary>
    public void DiscardThrough(long seq)
    {
        if (seq <= BaseSeq)
            return;
        var epoch = EpochAt(seq) ?? throw new InvalidOperationException($"discard through {seq} beyond the log end {LastSeq}");
        entries.RemoveRange(0, (int)(seq - BaseSeq));
        BaseSeq = seq;
        BaseEpoch = epoch;
    }

    /// <summary>Empties the log: it now starts after <paramref name="baseSeq"/> (an installed snapshot).</summary>
    public void Reset(long baseSeq, long baseEpoch)
    {
        entries.Clear();
        BaseSeq = baseSeq;
        BaseEpoch = baseEpoch;
    }

    /// <summary>
    /// Entries from <paramref name="from"/> on (it must be after the base): at most <paramref name="max"/>, and no more than <paramref name="maxBytes"/>
    /// of keys and values together, but always at least one (a single entry is bounded by the size limits).
    /// </summary>
    public IReadOnlyList<LogEntry> Range(long from, int max, long maxBytes = long.MaxValue)
    {
        if (from <= BaseSeq)
            throw new ArgumentOutOfRangeException(nameof(from), $"seq {from} was discarded (base {BaseSeq}).");
        if (from > LastSeq)
            return Array.Empty<LogEntry>();
        var start = (int)(from - BaseSeq - 1);
        var count = 0;
        long bytes = 0;
        while (count < max && start + count < entries.Count)
        {
            var operation = entries[start + count].Operation;
            bytes += operation.Key.Length + (operation.Value?.Length ?? 0);
            if (count > 0 && bytes > maxBytes)
                break;
            count++;
        }
        return entries.GetRange(start, count);
    }
}
