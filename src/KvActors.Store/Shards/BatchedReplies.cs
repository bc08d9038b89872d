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
/// When answers are due (<see cref="TakeDue"/>): when every request of the client's messages that the gathered answers
/// came in (and of its earlier messages) has been answered, so the answers to one client message go back together, in
/// one message; or when the oldest gathered answer has waited <c>maxHoldMs</c>, so a slow request never holds up the
/// others for long. The shards of a message's requests answer within moments of each other (writes replicated in the
/// same batches commit together, reads come from memory), but one at a time: sent as soon as half of them were in, the
/// answers to 9 writes took about 3 messages (bench store, puts: 3.4 answers per reply message), each costing a remote
/// message's CPU on both sides.
/// </remarks>
internal sealed class BatchedReplies(int maxBatchBytes, long maxHoldMs)
{
    private readonly Dictionary<RequestId, (IActorRef Client, long Since, long Message)> _waiting = new();
    private readonly Dictionary<IActorRef, Client> _clients = new();

    /// <summary>Requests passed on and not answered yet.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Whether any answer is gathered and not yet taken.</summary>
    public bool AnyGathered => _clients.Values.Any(c => c.Batch.Replies.Count > 0);

    /// <summary>
    /// <paramref name="client"/> waits for the answer to <paramref name="request"/>, which came in the client's message
    /// numbered <paramref name="message"/> (numbers grow with each message the host receives; a retry of the same request
    /// just renews the wait).
    /// </summary>
    public void Expect(RequestId request, IActorRef client, long now, long message)
    {
        if (_waiting.Remove(request, out var earlier))
            ClientOf(earlier.Client).Settled(earlier.Message);
        _waiting[request] = (client, now, message);
        ClientOf(client).Wait(message);
    }

    /// <summary>
    /// A shard's answer: gathered for the client that waits for it (nothing, when none does: a duplicate, or given up).
    /// Returns a batch that must go out at once because this answer did not fit beside it, else null.
    /// </summary>
    public (IActorRef Client, KvReplyBatch Batch)? Answered(KvReply reply, long now)
    {
        if (!_waiting.Remove(new RequestId(reply.ClientId, reply.RequestId), out var waiting))
            return null;
        ClientOf(waiting.Client).Settled(waiting.Message);
        return Add(waiting.Client, reply, now, waiting.Message);
    }

    /// <summary>
    /// An answer for <paramref name="client"/> that the host gives itself (not held here, NotPrimary) to a request of its
    /// message <paramref name="message"/>. Returns a batch that must go out at once because this answer did not fit
    /// beside it, else null.
    /// </summary>
    public (IActorRef Client, KvReplyBatch Batch)? Add(IActorRef client, KvReply reply, long now, long message)
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
        state.NewestGathered = Math.Max(state.NewestGathered, message);
        return full;
    }

    /// <summary>The gathered batches that are due (see the remarks); they are no longer gathered afterwards.</summary>
    public List<(IActorRef Client, KvReplyBatch Batch)> TakeDue(long now)
    {
        var due = new List<(IActorRef, KvReplyBatch)>();
        foreach (var (client, state) in _clients)
        {
            if (state.Batch.Replies.Count > 0 && (state.OldestWaiting > state.NewestGathered || now - state.Since >= maxHoldMs))
                due.Add((client, state.Take()));
            if (state.OldestWaiting == long.MaxValue && state.Batch.Replies.Count == 0)
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
            ClientOf(waiting.Client).Settled(waiting.Message);
        }
        return old.Count;
    }

    private Client ClientOf(IActorRef client)
    {
        if (!_clients.TryGetValue(client, out var state))
            _clients[client] = state = new Client();
        return state;
    }

    /// <summary>One client's requests waiting here, counted per message they came in, and the answers gathered for it since <see cref="Since"/>.</summary>
    private sealed class Client
    {
        private readonly SortedDictionary<long, int> _waitingByMessage = new();

        public KvReplyBatch Batch { get; private set; } = new();
        public int Bytes { get; set; }
        public long Since { get; set; }

        /// <summary>The newest message any gathered answer belongs to.</summary>
        public long NewestGathered { get; set; } = long.MinValue;

        /// <summary>The oldest message with a request still waiting; MaxValue when none waits.</summary>
        public long OldestWaiting
        {
            get
            {
                using var first = _waitingByMessage.GetEnumerator(); // a struct: no allocation per check
                return first.MoveNext() ? first.Current.Key : long.MaxValue;
            }
        }

        public void Wait(long message) => _waitingByMessage[message] = _waitingByMessage.GetValueOrDefault(message) + 1;

        /// <summary>A request of this client no longer waits here (answered, renewed or forgotten).</summary>
        public void Settled(long message)
        {
            if (!_waitingByMessage.TryGetValue(message, out var count))
                return;
            if (count <= 1) _waitingByMessage.Remove(message);
            else _waitingByMessage[message] = count - 1;
        }

        public KvReplyBatch Take()
        {
            var batch = Batch;
            Batch = new KvReplyBatch();
            Bytes = 0;
            NewestGathered = long.MinValue;
            return batch;
        }
    }
}
