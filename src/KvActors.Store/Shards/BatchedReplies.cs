using Akka.Actor;
using KvActors.Store.Replication;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// The <see cref="ShardHost"/>'s bookkeeping for <see cref="KvRequestBatch"/>es: which client waits for the answer to
/// each request it passed on to a shard, and the answers gathered per client until the next flush, each bounded in
/// bytes so one <see cref="KvReplyBatch"/> always fits in a remote frame. No actor, no clock: times are passed in.
/// </summary>
internal sealed class BatchedReplies(int maxBatchBytes)
{
    private readonly Dictionary<RequestId, (IActorRef Client, long Since)> _waiting = new();
    private readonly Dictionary<IActorRef, Gathered> _gathered = new();

    /// <summary>Requests passed on and not answered yet.</summary>
    public int Waiting => _waiting.Count;

    /// <summary><paramref name="client"/> waits for the answer to <paramref name="request"/> (a retry of the same request just renews the wait).</summary>
    public void Expect(RequestId request, IActorRef client, long now) => _waiting[request] = (client, now);

    /// <summary>
    /// A shard's answer: gathered for the client that waits for it (nothing, when none does: a duplicate, or given up).
    /// Returns a batch that must go out at once because this answer did not fit beside it, else null.
    /// </summary>
    public (IActorRef Client, KvReplyBatch Batch)? Answered(KvReply reply)
    {
        var request = new RequestId(reply.ClientId, reply.RequestId);
        return _waiting.Remove(request, out var waiting) ? Add(waiting.Client, reply) : null;
    }

    /// <summary>
    /// An answer for <paramref name="client"/> that the host gives itself (not held here, NotPrimary). Returns a batch
    /// that must go out at once because this answer did not fit beside it, else null.
    /// </summary>
    public (IActorRef Client, KvReplyBatch Batch)? Add(IActorRef client, KvReply reply)
    {
        var size = reply.CalculateSize() + 8; // + the field's tag and length prefix
        (IActorRef, KvReplyBatch)? full = null;
        if (_gathered.TryGetValue(client, out var gathered) && gathered.Bytes + size > maxBatchBytes)
        {
            _gathered.Remove(client);
            full = (client, gathered.Batch);
            gathered = null;
        }
        if (gathered is null)
            _gathered[client] = gathered = new Gathered();
        gathered.Batch.Replies.Add(reply);
        gathered.Bytes += size;
        return full;
    }

    /// <summary>Every gathered batch, to be sent now; afterwards nothing is gathered.</summary>
    public List<(IActorRef Client, KvReplyBatch Batch)> TakeAll()
    {
        var all = _gathered.Select(g => (g.Key, g.Value.Batch)).ToList();
        _gathered.Clear();
        return all;
    }

    /// <summary>Forgets requests waited for since before <paramref name="before"/> (their shard never answered; the client has retried or given up).</summary>
    public int ForgetOlderThan(long before)
    {
        var old = _waiting.Where(w => w.Value.Since < before).Select(w => w.Key).ToList();
        foreach (var request in old)
            _waiting.Remove(request);
        return old.Count;
    }

    private sealed class Gathered
    {
        public KvReplyBatch Batch { get; } = new();
        public int Bytes { get; set; }
    }
}
