using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// The <see cref="ReplicatorActor"/>'s bookkeeping for one other node: the items queued for it, the batches sent to it
/// and not yet acknowledged, and the acknowledgement this node owes it for the batches it sent here. No actor, no clock:
/// times (milliseconds of a monotonic clock) are passed in.
/// </summary>
/// <remarks>
/// <para>Sending is self-clocked, as TCP's Nagle rule: with nothing in flight the queue goes at once; while a batch is in
/// flight, items wait for its acknowledgement and then go together, unless a whole batch is queued (at most
/// <c>maxInFlight</c> unacknowledged). Under load that makes a few large batches per round trip, not one per item.</para>
/// <para>Acknowledgements ride back on the next batch to the node (<see cref="ReplicationBatch.AcksThroughBatchId"/>)
/// rather than in a message of their own: nearly every batch of prepares is answered by a batch of acknowledgements, so
/// this halves the remote messages replication costs. An acknowledgement that finds no batch to ride on goes alone
/// (<see cref="ReplicationBatchAck"/>, <see cref="TakeLoneAck"/>) at the flush after the one in which it became owed: by then the shards have had
/// a turn to queue their answers, and the sender waits for it at most one more flush of this node's replicator. It never
/// waits on this side's own flow control, so two nodes waiting for each other's acknowledgements cannot stall.</para>
/// </remarks>
internal sealed class ReplicationLink(string node, int maxBatchItems, int maxBatchBytes, int maxInFlight)
{
    private readonly Queue<ReplicationItem> _queue = new();
    private readonly Queue<(long Id, long SentAt)> _inFlight = new();
    private long _lastBatchId;
    private long _owedAck;
    private bool _ackWaitedAFlush;

    /// <summary>The other node ("host:port").</summary>
    public string Node { get; } = node;

    /// <summary>Items waiting to be sent.</summary>
    public int Queued => _queue.Count;

    /// <summary>Batches sent and not yet acknowledged.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Whether an acknowledgement for the node's batches is owed and not yet sent.</summary>
    public bool OwesAck => _owedAck > 0;

    public void Enqueue(ReplicationItem item) => _queue.Enqueue(item);

    /// <summary>Whether a whole batch is queued and may go now, without waiting for a flush.</summary>
    public bool HasFullBatch => _queue.Count >= maxBatchItems && _inFlight.Count < maxInFlight;

    /// <summary>
    /// The node's batch <paramref name="batchId"/> arrived here: it is owed an acknowledgement (batches from one node
    /// arrive in order, so the latest covers every earlier one; a restarted sender counts from 1 again).
    /// </summary>
    public void Received(long batchId)
    {
        if (_owedAck == 0)
            _ackWaitedAFlush = false; // the wait is counted from the oldest batch not yet acknowledged
        _owedAck = batchId;
    }

    /// <summary>The node acknowledged every batch through <paramref name="throughBatchId"/>.</summary>
    public void Acknowledged(long throughBatchId)
    {
        while (_inFlight.Count > 0 && _inFlight.Peek().Id <= throughBatchId)
            _inFlight.Dequeue();
    }

    /// <summary>Gives up on batches sent before <paramref name="before"/> (a crashed or cut-off node); whether any were.</summary>
    public bool ExpireSentBefore(long before)
    {
        var expired = false;
        while (_inFlight.Count > 0 && _inFlight.Peek().SentAt < before)
        {
            _inFlight.Dequeue();
            expired = true;
        }
        return expired;
    }

    /// <summary>One full batch, if one is queued and the window allows it (see <see cref="HasFullBatch"/>), else null.</summary>
    public ReplicationBatch? TakeFullBatch(string self, long now) => HasFullBatch ? NextBatch(self, now) : null;

    /// <summary>The batches due under the self-clocking rule; the first carries the owed acknowledgement.</summary>
    public List<ReplicationBatch> TakeDue(string self, long now)
    {
        var batches = new List<ReplicationBatch>();
        // An owed acknowledgement lets a batch go while another is in flight: it would otherwise go alone, so the items
        // ride along for free.
        while (_queue.Count > 0 && _inFlight.Count < maxInFlight && (_inFlight.Count == 0 || _queue.Count >= maxBatchItems || _owedAck > 0))
            batches.Add(NextBatch(self, now));
        return batches;
    }

    /// <summary>
    /// At the end of a flush: the acknowledgement that has been owed since the previous flush and found no batch to ride
    /// on, to go alone; null when none is owed, or it may still wait one flush for a batch.
    /// </summary>
    public ReplicationBatchAck? TakeLoneAck(string self)
    {
        if (_owedAck == 0)
            return null;
        if (!_ackWaitedAFlush)
        {
            _ackWaitedAFlush = true;
            return null;
        }
        var ack = new ReplicationBatchAck { FromNode = self, ThroughBatchId = _owedAck };
        _owedAck = 0;
        return ack;
    }

    private ReplicationBatch NextBatch(string self, long now)
    {
        var batch = new ReplicationBatch { FromNode = self, BatchId = ++_lastBatchId, AcksThroughBatchId = _owedAck };
        _owedAck = 0;
        // Bounded by items and by bytes: one batch must fit in one Akka.Remote frame
        // (akka.remote.dot-netty.tcp.maximum-frame-size), or the transport drops it.
        var bytes = 0;
        while (batch.Items.Count < maxBatchItems && _queue.TryPeek(out var next))
        {
            var size = next.CalculateSize();
            if (batch.Items.Count > 0 && bytes + size > maxBatchBytes) break;
            batch.Items.Add(_queue.Dequeue());
            bytes += size;
        }
        _inFlight.Enqueue((batch.BatchId, now));
        return batch;
    }
}
