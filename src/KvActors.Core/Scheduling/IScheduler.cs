using KvActors.Actor;

namespace KvActors.Scheduling;

/// <summary>A handle to something scheduled; Cancel makes sure it does not run (again).</summary>
public interface ICancelable
{
    void Cancel();
    bool IsCancellationRequested { get; }
}

/// <summary>Runs actions and sends messages later, once or repeatedly.</summary>
public interface IScheduler
{
    ICancelable ScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef? sender);
    ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef? sender);
    ICancelable ScheduleOnce(TimeSpan delay, Action action);
    ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action);

    /// <summary>A state-passing variant that needs no closure (used on hot paths such as Ask).</summary>
    ICancelable ScheduleOnce(TimeSpan delay, Action<object?> action, object? state);

    /// <summary>Monotonic time since the scheduler started.</summary>
    TimeSpan Elapsed { get; }
}
