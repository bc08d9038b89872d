using System.Collections.Concurrent;
using KvActors.Store.Wire.Store;

namespace KvActors.Client;

/// <summary>
/// The attempts of a <see cref="KvClient"/> that await an answer, by request id. One timer, armed only while anything
/// waits, ends the attempts whose time is up (their task gets null), rather than a timer (and a timeout task) per
/// attempt. Thread-safe.
/// </summary>
/// <remarks>
/// Each caller's continuation runs as a thread-pool work item of its own, never on the thread that completes it (the
/// courier's, or the sweep's), and never in line behind another caller's: a caller that blocks on one request inside
/// the continuation of another (sync over async) would otherwise wait for an answer queued behind itself, for ever.
/// </remarks>
internal sealed class PendingReplies
{
    /// <summary>How often waiting attempts are checked for their deadline: how late, at most, an attempt times out.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentDictionary<long, Attempt> _waiting = new();
    private readonly Action<long> _expired;
    private readonly Timer _timer;
    private readonly Lock _sweeping = new();
    private int _armed;

    /// <param name="expired">Told the request id of each attempt that timed out (while the attempt still waited).</param>
    public PendingReplies(Action<long> expired)
    {
        _expired = expired;
        _timer = new Timer(_ => Sweep(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Attempts waiting now.</summary>
    public int Count => _waiting.Count;

    /// <summary>
    /// Registers an attempt at <paramref name="requestId"/> that waits at most <paramref name="wait"/>; its task gets the
    /// answer, or null once the time is up. A later attempt at the same id replaces it.
    /// </summary>
    public Attempt Add(long requestId, TimeSpan wait)
    {
        var attempt = new Attempt(Environment.TickCount64 + (long)Math.Ceiling(wait.TotalMilliseconds));
        _waiting[requestId] = attempt;
        Arm();
        return attempt;
    }

    /// <summary>Withdraws <paramref name="attempt"/> if it still waits; whether it did (its answer will not be taken).</summary>
    public bool Withdraw(long requestId, Attempt attempt) =>
        _waiting.TryRemove(new KeyValuePair<long, Attempt>(requestId, attempt));

    /// <summary>The answers of one reply message complete the attempts waiting for them; answers nobody waits for (late, or duplicates) are dropped.</summary>
    public void Answered(IReadOnlyList<KvReply> replies)
    {
        foreach (var reply in replies)
            if (_waiting.TryRemove(reply.RequestId, out var attempt))
                attempt.TrySetResult(reply);
    }

    private void Arm()
    {
        if (Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
            _timer.Change(SweepInterval, SweepInterval);
    }

    private void Sweep()
    {
        if (!_sweeping.TryEnter())
            return; // the previous sweep still runs
        List<Attempt>? expired = null;
        try
        {
            var now = Environment.TickCount64;
            foreach (var (requestId, attempt) in _waiting)
            {
                if (attempt.DeadlineMs > now || !Withdraw(requestId, attempt))
                    continue;
                _expired(requestId);
                (expired ??= []).Add(attempt);
            }
            if (_waiting.IsEmpty)
            {
                // Disarm before clearing the flag, then look again: an attempt added meanwhile re-arms either way.
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                Volatile.Write(ref _armed, 0);
                if (!_waiting.IsEmpty)
                    Arm();
            }
        }
        finally
        {
            _sweeping.Exit();
        }
        foreach (var attempt in expired ?? [])
            attempt.TrySetResult(null);
    }

    /// <summary>One attempt's wait: completed with the answer, or with null when its deadline (ms, <see cref="Environment.TickCount64"/>) passed.</summary>
    internal sealed class Attempt(long deadlineMs) : TaskCompletionSource<KvReply?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long DeadlineMs { get; } = deadlineMs;
    }
}
