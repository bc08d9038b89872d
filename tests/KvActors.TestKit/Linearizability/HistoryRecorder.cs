using System.Diagnostics;

namespace KvActors.TestKit.Linearizability;

/// <summary>A monotonic clock in ticks (never goes back).</summary>
public interface IMonotonicClock
{
    long Now { get; }

    /// <summary>Ticks per second, for printing times (see <see cref="CheckOptions.TicksPerSecond"/>).</summary>
    double TicksPerSecond { get; }
}

/// <summary>The default clock: <see cref="Stopwatch.GetTimestamp"/>.</summary>
public sealed class StopwatchClock : IMonotonicClock
{
    public static StopwatchClock Instance { get; } = new();

    public long Now => Stopwatch.GetTimestamp();

    public double TicksPerSecond => Stopwatch.Frequency;
}

/// <summary>A clock tests move by hand. Thread-safe.</summary>
public sealed class ManualClock(long start = 0) : IMonotonicClock
{
    private long _now = start;

    public long Now => Interlocked.Read(ref _now);

    public double TicksPerSecond => 1000;

    public void Advance(long ticks = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ticks);
        Interlocked.Add(ref _now, ticks);
    }
}

/// <summary>An operation that was invoked and has not been answered yet.</summary>
public sealed class OpHandle
{
    internal OpHandle(long id, int clientId, string key, KvOp op, long invokeTicks)
    {
        Id = id;
        ClientId = clientId;
        Key = key;
        Op = op;
        InvokeTicks = invokeTicks;
    }

    public long Id { get; }

    public int ClientId { get; }

    public string Key { get; }

    public KvOp Op { get; }

    public long InvokeTicks { get; }

    // 0 = pending, 1 = finished (completed, failed or dropped).
    internal int Finished;
}

/// <summary>
/// Records a history for <see cref="LinearizabilityChecker"/>. Thread-safe: concurrent clients call
/// <see cref="Invoke"/> just before sending a request and one of <see cref="Complete"/>,
/// <see cref="Fail"/> or <see cref="FailedDefinitely"/> right after the answer (or failure) arrives.
/// </summary>
/// <example><code>
/// var h = recorder.Invoke(clientId, key, KvOp.Put(v));
/// try { await client.PutAsync(key, v); recorder.Complete(h, OpResult.Ok); }
/// catch (TimeoutException) { recorder.Fail(h); }                 // may or may not have happened
/// catch (RefusedBeforeLoggingException) { recorder.FailedDefinitely(h); } // surely did not happen
/// </code></example>
public sealed class HistoryRecorder(IMonotonicClock? clock = null)
{
    private readonly object _gate = new();
    private readonly List<Operation> _done = [];
    private readonly Dictionary<long, OpHandle> _pending = [];
    private long _nextId;

    public IMonotonicClock Clock { get; } = clock ?? StopwatchClock.Instance;

    /// <summary>Marks the invocation (takes the time now). Call it before the request leaves.</summary>
    public OpHandle Invoke(int clientId, string key, KvOp op)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (op.Kind == OpKind.Put && op.Value is null) throw new ArgumentException("A put needs a value.", nameof(op));
        lock (_gate)
        {
            // Taken under the lock so ids follow invocation times.
            var handle = new OpHandle(++_nextId, clientId, key, op, Clock.Now);
            _pending.Add(handle.Id, handle);
            return handle;
        }
    }

    /// <summary>The operation completed with <paramref name="result"/> (takes the time now).</summary>
    public void Complete(OpHandle handle, OpResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsUnknown)
        {
            Fail(handle);
            return;
        }

        if (!result.Fits(handle.Op.Kind)) throw new ArgumentException($"Result '{result}' cannot answer a {handle.Op.Kind}.", nameof(result));
        var now = Clock.Now;
        Finish(handle, new Operation(handle.Id, handle.ClientId, handle.Key, handle.Op, result, handle.InvokeTicks, now));
    }

    /// <summary>
    /// The outcome is unknown (timeout, lost connection, ambiguous error): the operation may have
    /// taken effect at any time after its invocation, or never.
    /// </summary>
    public void Fail(OpHandle handle) =>
        Finish(handle, new Operation(handle.Id, handle.ClientId, handle.Key, handle.Op, OpResult.Unknown, handle.InvokeTicks, long.MaxValue));

    /// <summary>The operation certainly did not take effect (e.g. refused before anything was logged): it is dropped.</summary>
    public void FailedDefinitely(OpHandle handle) => Finish(handle, null);

    /// <summary>Number of operations recorded or still pending.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _done.Count + _pending.Count;
        }
    }

    /// <summary>
    /// The history so far, in invocation order. Operations still pending are included with an unknown
    /// outcome (they may yet take effect).
    /// </summary>
    public IReadOnlyList<Operation> Snapshot()
    {
        lock (_gate)
        {
            var all = new List<Operation>(_done.Count + _pending.Count);
            all.AddRange(_done);
            foreach (var h in _pending.Values)
                all.Add(new Operation(h.Id, h.ClientId, h.Key, h.Op, OpResult.Unknown, h.InvokeTicks, long.MaxValue));
            all.Sort((a, b) => a.Id.CompareTo(b.Id));
            return all;
        }
    }

    private void Finish(OpHandle handle, Operation? operation)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (Interlocked.Exchange(ref handle.Finished, 1) != 0)
            throw new InvalidOperationException($"Operation #{handle.Id} ({handle.Op} on {handle.Key}) was already completed or failed.");
        lock (_gate)
        {
            if (!_pending.Remove(handle.Id))
                throw new InvalidOperationException($"Operation #{handle.Id} was not invoked on this recorder.");
            if (operation is not null) _done.Add(operation);
        }
    }
}
