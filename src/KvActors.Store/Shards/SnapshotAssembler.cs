using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// Joins a snapshot sent in pieces (<see cref="SnapshotChunks"/>) back together, per partition and sender. Pieces of
/// one sender to one destination arrive in order (Akka.Remote keeps the order of one sender's messages); a piece that
/// does not continue the one before (lost, or a newer transfer started) discards the partial snapshot, and the final
/// message is then dropped: the learner asks for catch-up again. Holds one partial snapshot per partition and sender.
/// Pure.
/// </summary>
public sealed class SnapshotAssembler
{
    private readonly Dictionary<(int Partition, string From), Partial> _partials = new();

    /// <summary>Partial snapshots held (for tests and diagnostics).</summary>
    public int Pending => _partials.Count;

    /// <summary>
    /// Takes one item. Returns the item to deliver (<paramref name="item"/> itself, or the final message with the whole
    /// snapshot), or null when there is nothing to deliver yet; <paramref name="problem"/> says why an item was dropped.
    /// </summary>
    public ReplicationItem? Accept(ReplicationItem item, out string? problem)
    {
        problem = null;
        var key = (item.Partition, item.From);
        if (item.MessageCase == ReplicationItem.MessageOneofCase.SnapshotChunk)
        {
            var chunk = item.SnapshotChunk;
            if (chunk.Index == 0)
                _partials[key] = new Partial(item.Epoch, chunk.SnapshotSeq, chunk.SnapshotEpoch);
            if (!_partials.TryGetValue(key, out var partial) || !partial.Continues(item.Epoch, chunk))
            {
                _partials.Remove(key);
                problem = $"snapshot piece {chunk.Index} of seq {chunk.SnapshotSeq} from {item.From} does not continue a transfer: dropped";
                return null;
            }
            partial.Data.AddRange(chunk.Data);
            partial.Received++;
            return null;
        }
        if (item.MessageCase != ReplicationItem.MessageOneofCase.CatchUpData || item.CatchUpData.Snapshot is not { ChunksBefore: > 0 } snapshot)
            return item;

        _partials.Remove(key, out var done);
        if (done is null || done.Received != snapshot.ChunksBefore || done.Epoch != item.Epoch
            || done.SnapshotSeq != snapshot.Seq || done.SnapshotEpoch != snapshot.Epoch)
        {
            problem = $"the snapshot of seq {snapshot.Seq} from {item.From} came without its {snapshot.ChunksBefore} earlier pieces: dropped";
            return null;
        }
        var whole = item.Clone();
        var joined = new SnapshotMessage { Seq = snapshot.Seq, Epoch = snapshot.Epoch };
        joined.Data.AddRange(done.Data);
        joined.Data.AddRange(snapshot.Data);
        joined.Requests.AddRange(snapshot.Requests);
        whole.CatchUpData.Snapshot = joined;
        return whole;
    }

    /// <summary>Forgets partial snapshots of a partition (it left this node).</summary>
    public void Forget(int partition)
    {
        foreach (var key in _partials.Keys.Where(k => k.Partition == partition).ToList())
            _partials.Remove(key);
    }

    private sealed class Partial(long epoch, long snapshotSeq, long snapshotEpoch)
    {
        public long Epoch { get; } = epoch;
        public long SnapshotSeq { get; } = snapshotSeq;
        public long SnapshotEpoch { get; } = snapshotEpoch;
        public List<KeyValueMessage> Data { get; } = new();
        public int Received { get; set; }

        public bool Continues(long epoch, SnapshotChunkMessage chunk) =>
            epoch == Epoch && chunk.SnapshotSeq == SnapshotSeq && chunk.SnapshotEpoch == SnapshotEpoch && chunk.Index == Received;
    }
}
