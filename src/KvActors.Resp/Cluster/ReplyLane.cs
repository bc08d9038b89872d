using System.Collections.Concurrent;

namespace KvActors.Resp.Cluster;

/// <summary>
/// Hands items from producer threads (actors answering) to one thread-pool work item at a time, which handles every
/// item that has arrived before it returns: a burst of N items costs one hop to the pool instead of N. Thread-safe.
/// </summary>
internal sealed class ReplyLane(Action<Store.Wire.Store.KvReply> handle) : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<Store.Wire.Store.KvReply> _arrived = new();

    /// <summary>1 while a work item is queued or running; it rechecks the queue after clearing this, so nothing is stranded.</summary>
    private int _scheduled;

    public void Add(Store.Wire.Store.KvReply item)
    {
        _arrived.Enqueue(item);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public void Execute()
    {
        while (true)
        {
            while (_arrived.TryDequeue(out var item)) handle(item);
            Volatile.Write(ref _scheduled, 0);
            if (_arrived.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0) return;
        }
    }
}
