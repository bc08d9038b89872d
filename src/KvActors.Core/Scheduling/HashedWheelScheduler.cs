using System.Collections.Concurrent;
using System.Diagnostics;
using KvActors.Actor;
using Microsoft.Extensions.Logging;

namespace KvActors.Scheduling;

/// <summary>
/// A hashed wheel timer: one thread advances a wheel of buckets every tick and runs what falls
/// due. Scheduling and cancelling from other threads only enqueue, and a cancelled task is
/// unlinked from its bucket on the next tick, so millions of short-lived timeouts (one per Ask)
/// cost O(1) each and do not pile up. Precision is one tick. Actions run on the timer thread and
/// must be short (telling a message is the usual action).
/// </summary>
public sealed class HashedWheelScheduler : IScheduler, IDisposable
{
    private readonly long _tickMs;
    private readonly int _mask;
    private readonly ScheduledTask?[] _wheel;
    private readonly ConcurrentQueue<ScheduledTask> _registrations = new();
    private readonly ConcurrentQueue<ScheduledTask> _cancellations = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ILogger _log;
    private readonly Thread _thread;
    private volatile bool _stopped;
    private long _tick;

    public HashedWheelScheduler(TimeSpan tickDuration, int ticksPerWheel, ILogger log, string name)
    {
        if (tickDuration < TimeSpan.FromMilliseconds(1)) throw new ArgumentOutOfRangeException(nameof(tickDuration), "tick-duration must be at least 1ms.");
        if (ticksPerWheel < 1 || (ticksPerWheel & (ticksPerWheel - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(ticksPerWheel), "ticks-per-wheel must be a power of two.");
        _tickMs = (long)tickDuration.TotalMilliseconds;
        _mask = ticksPerWheel - 1;
        _wheel = new ScheduledTask?[ticksPerWheel];
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = $"{name}-scheduler" };
        _thread.Start();
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public ICancelable ScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef? sender) =>
        Add(delay, null, static s => ((TellState)s!).Send(), new TellState(receiver, message, sender));

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef? sender) =>
        Add(initialDelay, CheckInterval(interval), static s => ((TellState)s!).Send(), new TellState(receiver, message, sender));

    public ICancelable ScheduleOnce(TimeSpan delay, Action action) =>
        Add(delay, null, static s => ((Action)s!)(), action);

    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action) =>
        Add(initialDelay, CheckInterval(interval), static s => ((Action)s!)(), action);

    public ICancelable ScheduleOnce(TimeSpan delay, Action<object?> action, object? state) => Add(delay, null, action, state);

    private static TimeSpan CheckInterval(TimeSpan interval) =>
        interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval), "A repeating interval must be positive.");

    private ScheduledTask Add(TimeSpan delay, TimeSpan? interval, Action<object?> action, object? state)
    {
        var task = new ScheduledTask(this, action, state, interval)
        {
            DeadlineMs = _clock.ElapsedMilliseconds + Math.Max(0, (long)delay.TotalMilliseconds),
        };
        if (!_stopped) _registrations.Enqueue(task);
        return task;
    }

    private sealed record TellState(ICanTell Receiver, object Message, IActorRef? Sender)
    {
        public void Send() => Receiver.Tell(Message, Sender);
    }

    private void Run()
    {
        while (!_stopped)
        {
            var deadline = (_tick + 1) * _tickMs;
            var wait = deadline - _clock.ElapsedMilliseconds;
            if (wait > 0) Thread.Sleep((int)wait);
            RemoveCancelled();
            PlaceRegistrations();
            ExpireBucket(_wheel[_tick & _mask], _clock.ElapsedMilliseconds);
            _tick++;
        }
    }

    private void PlaceRegistrations()
    {
        // Bounded per tick so a flood of registrations cannot stall the wheel.
        for (var i = 0; i < 100_000 && _registrations.TryDequeue(out var task); i++)
            if (task.State == ScheduledTask.Pending) Place(task);
    }

    private void Place(ScheduledTask task)
    {
        var due = task.DeadlineMs / _tickMs;
        if (due < _tick) due = _tick; // already late: run on this tick
        task.RemainingRounds = (due - _tick) / _wheel.Length;
        var index = (int)(due & _mask);
        task.Bucket = index;
        task.Next = _wheel[index];
        if (task.Next is not null) task.Next.Prev = task;
        task.Prev = null;
        _wheel[index] = task;
    }

    private void Unlink(ScheduledTask task)
    {
        if (task.Bucket < 0) return;
        if (task.Prev is not null) task.Prev.Next = task.Next;
        else _wheel[task.Bucket] = task.Next;
        if (task.Next is not null) task.Next.Prev = task.Prev;
        task.Prev = task.Next = null;
        task.Bucket = -1;
    }

    private void RemoveCancelled()
    {
        while (_cancellations.TryDequeue(out var task)) Unlink(task);
    }

    private void ExpireBucket(ScheduledTask? task, long nowMs)
    {
        while (task is not null)
        {
            var next = task.Next;
            if (task.RemainingRounds > 0)
            {
                task.RemainingRounds--;
            }
            else
            {
                Unlink(task);
                if (task.State == ScheduledTask.Pending) Fire(task, nowMs);
            }
            task = next;
        }
    }

    private void Fire(ScheduledTask task, long nowMs)
    {
        try
        {
            task.Action(task.ActionState);
        }
        catch (Exception e)
        {
            _log.LogError(e, "A scheduled action failed: {Message}", e.Message);
        }
        if (task.Interval is { } interval && task.State == ScheduledTask.Pending)
        {
            // Fixed rate, but never queue up a burst to catch up after a stall.
            task.DeadlineMs = Math.Max(task.DeadlineMs + (long)interval.TotalMilliseconds, nowMs + 1);
            Place(task);
        }
        else
        {
            task.MarkDone();
        }
    }

    public void Dispose()
    {
        if (_stopped) return;
        _stopped = true;
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(5));
    }

    private sealed class ScheduledTask(HashedWheelScheduler owner, Action<object?> action, object? state, TimeSpan? interval) : ICancelable
    {
        public const int Pending = 0, Cancelled = 1, Done = 2;
        private int _state;

        public Action<object?> Action { get; } = action;
        public object? ActionState { get; } = state;
        public TimeSpan? Interval { get; } = interval;
        public long DeadlineMs;
        public long RemainingRounds;
        public int Bucket = -1;
        public ScheduledTask? Prev, Next;

        public int State => Volatile.Read(ref _state);
        public bool IsCancellationRequested => State == Cancelled;

        public void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Pending) == Pending)
                owner._cancellations.Enqueue(this);
        }

        public void MarkDone() => Interlocked.CompareExchange(ref _state, Done, Pending);
    }
}
