using Akka.Actor;
using Google.Protobuf;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;

namespace KvActors.Resp.Cluster;

/// <summary>
/// Requests for partitions this node leads, sent straight to the partition's actor (<see cref="LocalShards"/>; through
/// the node's own shard host, which forwards each, when that has no actor for it) with a reply target that completes the
/// caller's task. This spares the KvClient's path for keys led here: its courier actor, the host's gathering of answers
/// into batches, and the timer each attempt arms; and Akka's Ask would add a temporary actor and a timer per request. A
/// request unanswered within the timeout (its partition's actor stopped as the partition moved away) fails with
/// <see cref="TimeoutException"/>, checked by one sweep timer for all. Answers other than the final one (NotPrimary,
/// RetryLater) are the caller's to follow through KvClient. Thread-safe.
/// </summary>
internal sealed class LocalShardRequests : IDisposable
{
    private readonly IActorRef _shards;
    private readonly LocalShards _byPartition;
    private readonly IActorRef _replyTo;
    private readonly long _timeoutMs;
    // A plain dictionary under a lock, not a ConcurrentDictionary: that allocated a node per request (a tenth of what a
    // pipelined GET allocated); the lock is held for one lookup, insertion or removal, or for a sweep.
    private readonly Dictionary<long, Waiter> _waiting = new();
    private readonly Timer _sweep;
    private long _nextId;

    public LocalShardRequests(ActorSystem system, TimeSpan timeout)
    {
        var provider = ((ExtendedActorSystem)system).Provider;
        _shards = provider.ResolveActorRef(provider.DefaultAddress + StoreHost.ShardsPath);
        _byPartition = LocalShards.Get(system);
        _replyTo = new ReplyTarget(provider.TempPath(), provider, OnReply);
        _timeoutMs = (long)timeout.TotalMilliseconds;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_timeoutMs / 4, 50, 1000));
        _sweep = new Timer(_ => Sweep(), null, period, period);
    }

    /// <summary>Names these requests (with a request id each), so the store's duplicate detection keeps them apart from other clients'.</summary>
    public string ClientId { get; } = $"resp-local-{Guid.NewGuid():N}";

    /// <summary>
    /// A read of <paramref name="key"/>. <paramref name="inline"/>: the task completes on the thread of the actor that
    /// answered, so its continuation must be short and must neither block nor send (else it runs on the thread pool).
    /// </summary>
    public Task<KvReply> GetAsync(byte[] key, bool inline = false)
    {
        var id = NextId();
        return Send(id, key, new GetRequest { ClientId = ClientId, RequestId = id, Key = UnsafeByteOperations.UnsafeWrap(key) }, inline);
    }

    /// <summary>A write of <paramref name="value"/> under <paramref name="key"/>; <paramref name="inline"/> as for <see cref="GetAsync"/>.</summary>
    public Task<KvReply> PutAsync(byte[] key, byte[] value, bool inline = false)
    {
        var id = NextId();
        return Send(id, key, new PutRequest { ClientId = ClientId, RequestId = id, Key = UnsafeByteOperations.UnsafeWrap(key), Value = UnsafeByteOperations.UnsafeWrap(value) }, inline);
    }

    public Task<KvReply> DeleteAsync(byte[] key)
    {
        var id = NextId();
        return Send(id, key, new DeleteRequest { ClientId = ClientId, RequestId = id, Key = UnsafeByteOperations.UnsafeWrap(key) }, inline: false);
    }

    private long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Sends <paramref name="request"/> (numbered <paramref name="id"/>); completes with the shard's answer. The key and value are not copied: the caller's arrays are never changed.</summary>
    private Task<KvReply> Send(long id, byte[] key, object request, bool inline)
    {
        var waiter = new Waiter(Environment.TickCount64, inline);
        lock (_waiting) _waiting[id] = waiter;
        (_byPartition.ShardOf(key) ?? _shards).Tell(request, _replyTo);
        return waiter.Task;
    }

    private void OnReply(KvReply reply)
    {
        if (reply.ClientId != ClientId) return;
        Waiter? waiter;
        lock (_waiting)
            if (!_waiting.Remove(reply.RequestId, out waiter)) return;
        waiter.TrySetResult(reply); // outside the lock: an inline continuation runs here
    }

    private void Sweep()
    {
        var limit = Environment.TickCount64 - _timeoutMs;
        foreach (var waiter in TakeAll(w => w.Started < limit))
            waiter.TrySetException(new TimeoutException($"this node's partition did not answer within {_timeoutMs / 1000.0:0.#} s"));
    }

    public void Dispose()
    {
        _sweep.Dispose();
        foreach (var waiter in TakeAll(_ => true))
            waiter.TrySetException(new ObjectDisposedException(nameof(LocalShardRequests)));
    }

    /// <summary>Removes the waiters that match and returns them, to be completed outside the lock.</summary>
    private List<Waiter> TakeAll(Func<Waiter, bool> match)
    {
        var taken = new List<Waiter>();
        lock (_waiting)
        {
            foreach (var (id, waiter) in _waiting)
            {
                if (!match(waiter)) continue;
                _waiting.Remove(id);
                taken.Add(waiter);
            }
        }
        return taken;
    }

    /// <summary>Continuations run on the thread pool, unless <paramref name="inline"/>: then on the shard actor's thread that completes them.</summary>
    private sealed class Waiter(long started, bool inline)
        : TaskCompletionSource<KvReply>(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long Started { get; } = started;
    }

    /// <summary>The sender the shards answer: hands each <see cref="KvReply"/> to the waiting request, on the answering actor's thread.</summary>
    private sealed class ReplyTarget(ActorPath path, IActorRefProvider provider, Action<KvReply> onReply) : MinimalActorRef
    {
        public override ActorPath Path { get; } = path;

        public override IActorRefProvider Provider { get; } = provider;

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (message is KvReply reply) onReply(reply);
        }
    }
}
