namespace KvActors.Remote.Transport;

/// <summary>
/// The association's send queue: senders append encoded frames to the filling batch under a
/// short lock; the single writer swaps the whole batch out and writes it with one syscall while
/// senders fill the other one. Per message that is one lock and one copy: no channel node, no
/// pooled buffer, no interlocked counter. The writer is woken only when it sleeps on an empty
/// queue, so a busy link costs no wake-ups, and "flush when drained" falls out of the swap.
/// </summary>
internal sealed class OutboundQueue
{
    public enum EnqueueResult { Enqueued, Full, Completed }

    private readonly object _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly int _limit;
    private OutboundBatch _filling = new();
    private OutboundBatch? _spare = new();
    private int _count; // queued plus being written; written under the lock
    private bool _writerAsleep, _completed;

    public OutboundQueue(int limit) => _limit = limit;

    public int Count => Volatile.Read(ref _count);

    public EnqueueResult TryEnqueue(ReadOnlySpan<byte> frame, in OutboundEnvelope envelope)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed) return EnqueueResult.Completed;
            if (_count >= _limit) return EnqueueResult.Full;
            _filling.Append(frame, envelope);
            _count++;
            wake = _writerAsleep;
            _writerAsleep = false;
        }
        if (wake) _wake.Release();
        return EnqueueResult.Enqueued;
    }

    /// <summary>Everything queued, or null when empty. Hand it back with <see cref="Return"/> once written.</summary>
    public OutboundBatch? TryTake()
    {
        lock (_lock)
        {
            if (_filling.Count == 0 || _spare is null) return null;
            var taken = _filling;
            _filling = _spare;
            _spare = null;
            return taken;
        }
    }

    public void Return(OutboundBatch batch)
    {
        lock (_lock)
        {
            _count -= batch.Count;
            batch.Clear();
            _spare = batch;
        }
    }

    /// <summary>Waits until something is queued (true) or the queue is completed (false).</summary>
    public async ValueTask<bool> WaitAsync(CancellationToken ct)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_filling.Count > 0) return true;
                if (_completed) return false;
                _writerAsleep = true;
            }
            // A release left over from a cancelled wait only causes one extra loop.
            await _wake.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Empties the filling batch into <paramref name="dropped"/> (for drop reports).</summary>
    public void DrainTo(List<OutboundEnvelope> dropped)
    {
        lock (_lock)
        {
            dropped.AddRange(_filling.Envelopes);
            _count -= _filling.Count;
            _filling.Clear();
        }
    }

    /// <summary>No more messages: later enqueues fail and a sleeping writer wakes up to stop.</summary>
    public void Complete()
    {
        bool wake;
        lock (_lock)
        {
            _completed = true;
            wake = _writerAsleep;
            _writerAsleep = false;
        }
        if (wake) _wake.Release();
    }
}
