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
    /// Registers an attempt at <paramref name="requestId"/>, sent to <paramref name="node"/> as the primary of
    /// <paramref name="partition"/>, that waits at most <paramref name="wait"/>; its task gets the answer, or null once
    /// the time is up or the attempt was rerouted (<see cref="Reroute"/>). A later attempt at the same id replaces it.
    /// </summary>
    public Attempt Add(long requestId, TimeSpan wait, int partition, string node)
    {
        var attempt = new Attempt(Environment.TickCount64 + (long)Math.Ceiling(wait.TotalMilliseconds), partition, node);
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

    /// <summary>
    /// Ends the waiting attempts that <paramref name="moved"/> says went to a node that no longer leads their partition
    /// (a newer ring promoted another): their task gets null at once with <see cref="Attempt.Rerouted"/> set, so the
    /// caller sends again to the new primary rather than wait out the attempt's timeout for a node that may be dead.
    /// Returns how many were ended.
    /// </summary>
    public int Reroute(Func<Attempt, bool> moved)
    {
        List<Attempt>? rerouted = null;
        foreach (var (requestId, attempt) in _waiting)
        {
            if (!moved(attempt) || !Withdraw(requestId, attempt))
                continue;
            _expired(requestId);
            attempt.Rerouted = true;
            (rerouted ??= []).Add(attempt);
        }
        foreach (var attempt in rerouted ?? [])
            attempt.TrySetResult(null);
        return rerouted?.Count ?? 0;
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

    /// <summary>
    /// One attempt's wait: completed with the answer, or with null when its deadline (ms,
    /// <see cref="Environment.TickCount64"/>) passed or it was rerouted.
    /// </summary>
    internal sealed class Attempt(long deadlineMs, int partition, string node) : TaskCompletionSource<KvReply?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long DeadlineMs { get; } = deadlineMs;

        /// <summary>The partition whose primary the attempt was sent to.</summary>
        public int Partition { get; } = partition;

        /// <summary>The node ("host:port") the attempt was sent to.</summary>
        public string Node { get; } = node;

        /// <summary>Set (before the task completes with null) when a newer ring moved the partition's primary off <see cref="Node"/>.</summary>
        public bool Rerouted { get; internal set; }
    }
}
