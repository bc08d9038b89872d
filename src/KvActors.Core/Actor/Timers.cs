namespace KvActors.Actor;

/// <summary>
/// Keyed timers that send a message to the actor itself. Starting a timer with a key in use
/// replaces it, and a replaced or cancelled timer's message is never delivered, even if it was
/// already queued. All timers are cancelled when the actor restarts or stops.
/// </summary>
public interface ITimerScheduler
{
    void StartSingleTimer(object key, object message, TimeSpan delay);
    void StartPeriodicTimer(object key, object message, TimeSpan interval);
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);
    bool IsTimerActive(object key);
    void Cancel(object key);
    void CancelAll();
}

/// <summary>Implement it and the runtime sets <see cref="Timers"/> when it makes the instance.</summary>
public interface IWithTimers
{
    ITimerScheduler Timers { get; set; }
}
