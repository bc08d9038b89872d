using KvActors.Storage;

namespace KvActors.Store.Replication;

/// <summary>
/// The newest uncommitted entry that wrote each key, over a replica's log: with the committed state it gives a key's
/// latest value, which is what a primary evaluates commands against (so two INCRs in flight add up). Kept up to date
/// as the primary proposes and commits; any other change to the log (a backup's appends, a truncation, a snapshot)
/// only marks it stale, and it is rebuilt from the log on the next lookup (rare: once per promotion).
/// </summary>
internal sealed class PreparedTail(ReplicaLog log)
{
    private readonly Dictionary<byte[], LogEntry> newest = new(ByteArrayComparer.Instance);
    private bool stale = true;

    public void Invalidate()
    {
        stale = true;
        newest.Clear();
    }

    public void Appended(LogEntry entry)
    {
        if (!stale && entry.Operation.Kind != KvOperationKind.Noop)
            newest[entry.Operation.Key] = entry;
    }

    public void Committed(LogEntry entry)
    {
        if (!stale && newest.TryGetValue(entry.Operation.Key, out var held) && held.Seq == entry.Seq)
            newest.Remove(entry.Operation.Key);
    }

    /// <summary>
    /// Whether an entry after <paramref name="commitPoint"/> wrote <paramref name="key"/>; then <paramref name="value"/>
    /// is what it left (null: deleted).
    /// </summary>
    public bool TryGetLatest(byte[] key, long commitPoint, out StoredValue? value)
    {
        if (stale)
            Rebuild(commitPoint);
        if (newest.TryGetValue(key, out var entry))
        {
            var op = entry.Operation;
            value = op.Kind == KvOperationKind.Put ? new StoredValue(op.Value!, op.ExpiresAtMs) : null;
            return true;
        }
        value = null;
        return false;
    }

    private void Rebuild(long commitPoint)
    {
        newest.Clear();
        for (var seq = commitPoint + 1; seq <= log.LastSeq; seq++)
            if (log[seq].Operation.Kind != KvOperationKind.Noop)
                newest[log[seq].Operation.Key] = log[seq];
        stale = false;
    }
}
