using KvActors.Dispatch;
using KvActors.Scheduling;

namespace KvActors.Actor.Internal;

/// <summary>Stash, timers and receive timeout: state most actors never use, kept off the cell until needed.</summary>
public sealed partial class ActorCell
{
    private Extras? _extras;

    private sealed class Extras
    {
        public List<Envelope>? Stashed;
        public LinkedList<Envelope>? Unstashed;
        public Dictionary<object, TimerEntry>? Timers;
        public int TimerGeneration;
        public TimeSpan? ReceiveTimeout;
        public ICancelable? ReceiveTimeoutTask;
        public int ReceiveTimeoutGeneration;
    }

    private Extras X => _extras ??= new Extras();

    // ---- stash ----

    internal bool HasUnstashed => _extras?.Unstashed is { Count: > 0 };

    internal bool TryTakeUnstashed(out Envelope envelope)
    {
        var queue = _extras?.Unstashed;
        if (queue is not { Count: > 0 })
        {
            envelope = default;
            return false;
        }
        envelope = queue.First!.Value;
        queue.RemoveFirst();
        return true;
    }

    private sealed class StashHandle(ActorCell cell) : IStash
    {
        public int Count => cell._extras?.Stashed?.Count ?? 0;

        public void Stash()
        {
            if (cell._currentEnvelope.Message is null)
                throw new InvalidOperationException("Stash() can only be called while processing a message.");
            (cell.X.Stashed ??= []).Add(cell._currentEnvelope);
        }

        public void Unstash()
        {
            var stashed = cell._extras?.Stashed;
            if (stashed is not { Count: > 0 }) return;
            var first = stashed[0];
            stashed.RemoveAt(0);
            (cell.X.Unstashed ??= new LinkedList<Envelope>()).AddFirst(first);
        }

        public void UnstashAll() => cell.UnstashAllInternal();
    }

    private void UnstashAllInternal()
    {
        var stashed = _extras?.Stashed;
        if (stashed is not { Count: > 0 }) return;
        var queue = X.Unstashed ??= new LinkedList<Envelope>();
        for (var i = stashed.Count - 1; i >= 0; i--) queue.AddFirst(stashed[i]);
        stashed.Clear();
    }

    private void UnstashAllForRestart() => UnstashAllInternal();

    private void DeadLetterStash()
    {
        if (_extras is null) return;
        foreach (var e in _extras.Unstashed ?? []) OnUndeliverable(e, overflow: false);
        foreach (var e in _extras.Stashed ?? []) OnUndeliverable(e, overflow: false);
        _extras.Unstashed?.Clear();
        _extras.Stashed?.Clear();
    }

    // ---- timers ----

    private sealed record TimerEntry(int Generation, bool Repeat, ICancelable Task);

    /// <summary>What a timer actually sends; dropped unless its generation is still the key's current one.</summary>
    internal sealed record TimerMessage(object Key, int Generation, object Message) : IAutoReceivedMessage;

    private sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
    {
        public void StartSingleTimer(object key, object message, TimeSpan delay) =>
            cell.StartTimer(key, message, delay, null);

        public void StartPeriodicTimer(object key, object message, TimeSpan interval) =>
            cell.StartTimer(key, message, interval, interval);

        public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) =>
            cell.StartTimer(key, message, initialDelay, interval);

        public bool IsTimerActive(object key) => cell._extras?.Timers?.ContainsKey(key) == true;

        public void Cancel(object key)
        {
            if (cell._extras?.Timers?.Remove(key, out var entry) == true) entry.Task.Cancel();
        }

        public void CancelAll() => cell.CancelAllTimers();
    }

    private void StartTimer(object key, object message, TimeSpan delay, TimeSpan? interval)
    {
        var timers = X.Timers ??= new Dictionary<object, TimerEntry>();
        if (timers.Remove(key, out var old)) old.Task.Cancel();
        var generation = ++X.TimerGeneration;
        var wrapped = new TimerMessage(key, generation, message);
        var task = interval is { } every
            ? _system.Scheduler.ScheduleTellRepeatedly(delay, every, _self, wrapped, _self)
            : _system.Scheduler.ScheduleTellOnce(delay, _self, wrapped, _self);
        timers[key] = new TimerEntry(generation, interval is not null, task);
    }

    private void HandleTimerMessage(TimerMessage timer)
    {
        var timers = _extras?.Timers;
        if (timers is null || !timers.TryGetValue(timer.Key, out var entry) || entry.Generation != timer.Generation) return;
        if (!entry.Repeat) timers.Remove(timer.Key);
        ReceiveMessage(timer.Message);
    }

    private void CancelAllTimers()
    {
        var timers = _extras?.Timers;
        if (timers is null) return;
        foreach (var entry in timers.Values) entry.Task.Cancel();
        timers.Clear();
    }

    // ---- receive timeout ----

    /// <summary>Marks one scheduled receive timeout; a newer generation makes older ones void.</summary>
    internal sealed record ReceiveTimeoutTick(int Generation) : IAutoReceivedMessage;

    public TimeSpan? ReceiveTimeout => _extras?.ReceiveTimeout;

    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        if (timeout is null && _extras?.ReceiveTimeout is null) return;
        X.ReceiveTimeout = timeout is { } t && t > TimeSpan.Zero ? t : null;
        RestartReceiveTimeout();
    }

    private void RestartReceiveTimeout()
    {
        var x = X;
        x.ReceiveTimeoutTask?.Cancel();
        x.ReceiveTimeoutTask = null;
        var generation = ++x.ReceiveTimeoutGeneration;
        if (x.ReceiveTimeout is { } timeout)
            x.ReceiveTimeoutTask = _system.Scheduler.ScheduleTellOnce(timeout, _self, new ReceiveTimeoutTick(generation), _self);
    }

    private void HandleReceiveTimeoutTick(ReceiveTimeoutTick tick)
    {
        if (_extras is { ReceiveTimeout: not null } x && tick.Generation == x.ReceiveTimeoutGeneration)
            ReceiveMessage(global::KvActors.Actor.ReceiveTimeout.Instance);
    }

    private void CancelTimersAndReceiveTimeout()
    {
        CancelAllTimers();
        if (_extras is { } x)
        {
            x.ReceiveTimeoutTask?.Cancel();
            x.ReceiveTimeoutTask = null;
            x.ReceiveTimeoutGeneration++;
        }
    }
}
