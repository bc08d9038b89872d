using Akka.Actor;
using KvActors.Store.Replication;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// The <see cref="ShardHost"/>'s bookkeeping for <see cref="KvRequestBatch"/>es: which client waits for the answer to
/// each request it passed on to a shard, and the answers gathered per client until they are due to go back in one
/// <see cref="KvReplyBatch"/> (bounded in bytes, so it always fits in a remote frame). No actor, no clock: times
/// (milliseconds of a monotonic clock) are passed in.
/// </summary>
/// <remarks>
/// When answers are due (<see cref="TakeDue"/>): when the client has nothing else waiting here; or when no read of it
/// waits here and at least as many answers are gathered as requests still wait (so a busy writer gets about half its
/// requests answered per message, not one); or when the oldest gathered answer has waited <c>maxHoldMs</c> (so a slow
/// request never holds up the others for long). A read is answered by its shard from memory, waiting for no log write
/// and no replica, so answers wait for the reads beside them: a batch of gets goes back in one message, not in a
/// halving series of them (10 gets: 1 message instead of about 4), which saves each get a share of a remote message's
/// CPU on both sides.
/// </remarks>
internal sealed class BatchedReplies(int maxBatchBytes, long maxHoldMs)
{
    private readonly Dictionary<RequestId, (IActorRef Client, long Since, bool IsRead)> _waiting = new();
    private readonly Dictionary<IActorRef, Client> _clients = new();

    /// <summary>Requests passed on and not answered yet.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Whether any answer is gathered and not yet taken.</summary>
    public bool AnyGathered => _clients.Values.Any(c => c.Batch.Replies.Count > 0);

    /// <summary>
    /// <paramref name="client"/> waits for the answer to <paramref name="request"/>, a read when <paramref name="isRead"/>
    /// (a retry of the same request just renews the wait).
    /// </summary>
    public void Expect(RequestId request, IActorRef client, long now, bool isRead = false)
    {
        if (_waiting.Remove(request, out var earlier))
            ClientOf(earlier.Client).Settled(earlier.IsRead);
        _waiting[request] = (client, now, isRead);
        var state = ClientOf(client);
        state.Waiting++;
        if (isRead) state.WaitingReads++;
    }

    /// <summary>
    /// A shard's answer: gathered for the client that waits for it (nothing, when none does: a duplicate, or given up).
    /// Returns a batch that must go out at once because this answer did not fit beside it, else null.
    /// </summary>
    public (IActorRef Client, KvReplyBatch Batch)? Answered(KvReply reply, long now)
    {
        if (!_waiting.Remove(new RequestId(reply.ClientId, reply.RequestId), out var waiting))
            return null;
        ClientOf(waiting.Client).Settled(waiting.IsRead);
        return Add(waiting.Client, reply, now);
    }

    /// <summary>
    /// An answer for <paramref name="client"/> that the host gives itself (not held here, NotPrimary). Returns a batch
    /// that must go out at once because this answer did not fit beside it, else null.
    /// </summary>
    public (IActorRef Client, KvReplyBatch Batch)? Add(IActorRef client, KvReply reply, long now)
    {
        var size = reply.CalculateSize() + 8; // + the field's tag and length prefix
        var state = ClientOf(client);
        (IActorRef, KvReplyBatch)? full = null;
        if (state.Batch.Replies.Count > 0 && state.Bytes + size > maxBatchBytes)
            full = (client, state.Take());
        if (state.Batch.Replies.Count == 0)
            state.Since = now;
        state.Batch.Replies.Add(reply);
        state.Bytes += size;
        return full;
    }

    /// <summary>The gathered batches that are due (see the remarks); they are no longer gathered afterwards.</summary>
    public List<(IActorRef Client, KvReplyBatch Batch)> TakeDue(long now)
    {
        var due = new List<(IActorRef, KvReplyBatch)>();
        foreach (var (client, state) in _clients)
        {
            var gathered = state.Batch.Replies.Count;
            if (gathered > 0 && (state.Waiting == 0 || (state.WaitingReads == 0 && gathered >= state.Waiting) || now - state.Since >= maxHoldMs))
                due.Add((client, state.Take()));
            if (state.Waiting == 0 && state.Batch.Replies.Count == 0)
                _clients.Remove(client); // allowed while enumerating: removal does not disturb a Dictionary's enumerator
        }
        return due;
    }

    /// <summary>Forgets requests waited for since before <paramref name="before"/> (their shard never answered; the client has retried or given up).</summary>
    public int ForgetOlderThan(long before)
    {
        var old = _waiting.Where(w => w.Value.Since < before).ToList();
        foreach (var (request, waiting) in old)
        {
            _waiting.Remove(request);
            ClientOf(waiting.Client).Settled(waiting.IsRead);
        }
        return old.Count;
    }

    private Client ClientOf(IActorRef client)
    {
        if (!_clients.TryGetValue(client, out var state))
            _clients[client] = state = new Client();
        return state;
    }

    /// <summary>One client's requests waiting here and the answers gathered for it since <see cref="Since"/>.</summary>
    private sealed class Client
    {
        public KvReplyBatch Batch { get; private set; } = new();
        public int Bytes { get; set; }
        public long Since { get; set; }
        public int Waiting { get; set; }
        public int WaitingReads { get; set; }

        /// <summary>A request of this client no longer waits here (answered, renewed or forgotten).</summary>
        public void Settled(bool isRead)
        {
            Waiting--;
            if (isRead) WaitingReads--;
        }

        public KvReplyBatch Take()
        {
            var batch = Batch;
            Batch = new KvReplyBatch();
            Bytes = 0;
            return batch;
        }
    }
}
