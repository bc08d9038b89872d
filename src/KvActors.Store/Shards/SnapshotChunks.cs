using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// Splits a replication item whose snapshot is too big for one Akka.Remote message into pieces, and joins them again
/// (<see cref="SnapshotAssembler"/>). Akka.Remote drops a message over its frame size, and a partition's snapshot can be
/// far bigger, so a learner could otherwise never catch up. The pieces travel through the replicator's queue like any
/// item, so its batching and in-flight bound pace the transfer. Pure.
/// </summary>
public static class SnapshotChunks
{
    /// <summary>
    /// <paramref name="item"/> alone if it fits in <paramref name="maxBytes"/> or carries no snapshot; otherwise
    /// <see cref="SnapshotChunkMessage"/> items with the snapshot's leading data, then the item with the rest of it
    /// (its <see cref="SnapshotMessage.ChunksBefore"/> set). Each piece holds at least one key.
    /// </summary>
    public static IReadOnlyList<ReplicationItem> Split(ReplicationItem item, int maxBytes)
    {
        if (item.MessageCase != ReplicationItem.MessageOneofCase.CatchUpData || item.CatchUpData.Snapshot is not { } snapshot
            || item.CalculateSize() <= maxBytes)
            return [item];
        var pieces = new List<ReplicationItem>();
        var data = snapshot.Data;
        var chunk = NewChunk(item, snapshot, 0);
        var bytes = 0;
        var taken = 0;
        // Leave at least one key for the final message, so the snapshot it carries is never empty by accident.
        for (; taken < data.Count - 1; taken++)
        {
            var size = data[taken].CalculateSize() + 8;
            if (chunk.SnapshotChunk.Data.Count > 0 && bytes + size > maxBytes)
            {
                pieces.Add(chunk);
                chunk = NewChunk(item, snapshot, pieces.Count);
                bytes = 0;
            }
            chunk.SnapshotChunk.Data.Add(data[taken]);
            bytes += size;
        }
        if (chunk.SnapshotChunk.Data.Count > 0)
            pieces.Add(chunk);
        var last = item.Clone();
        var rest = new SnapshotMessage { Seq = snapshot.Seq, Epoch = snapshot.Epoch, ChunksBefore = pieces.Count };
        rest.Data.AddRange(data.Skip(taken));
        rest.Requests.AddRange(snapshot.Requests);
        last.CatchUpData.Snapshot = rest;
        pieces.Add(last);
        return pieces;
    }

    private static ReplicationItem NewChunk(ReplicationItem item, SnapshotMessage snapshot, int index) => new()
    {
        Partition = item.Partition,
        Epoch = item.Epoch,
        From = item.From,
        SnapshotChunk = new SnapshotChunkMessage { SnapshotSeq = snapshot.Seq, SnapshotEpoch = snapshot.Epoch, Index = index },
    };
}
