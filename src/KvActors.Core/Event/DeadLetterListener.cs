using KvActors.Actor;
using Microsoft.Extensions.Logging;

namespace KvActors.Event;

/// <summary>
/// Logs dead letters, rate-limited: the first <c>log-dead-letters</c> are logged, then logging
/// pauses for <c>log-dead-letters-suspend-duration</c> and says how many it skipped.
/// </summary>
internal sealed class DeadLetterListener : ReceiveActor
{
    public DeadLetterListener(DeadLetterLogLimiter limiter, ActorSystem system)
    {
        Receive<DeadLetter>(d => LogIt(limiter, system, d.ToString()));
        Receive<Dropped>(d => LogIt(limiter, system, d.ToString()));
    }

    private void LogIt(DeadLetterLogLimiter limiter, ActorSystem system, string text)
    {
        if (system.IsTerminating && !system.Settings.LogDeadLettersDuringShutdown) return;
        var decision = limiter.Next(Environment.TickCount64);
        if (decision.Log)
        {
            var suffix = decision.Suppressed > 0 ? $" ({decision.Suppressed} more were not logged.)" : "";
            var last = decision.LastBeforePause ? " Further dead letters are not logged for a while (kvactors.log-dead-letters-suspend-duration)." : "";
            Log.LogInformation("Dead letter: {Text}{Suffix}{Last}", text, suffix, last);
        }
    }
}

/// <summary>Pure rate limit for dead-letter logging; time is passed in.</summary>
internal sealed class DeadLetterLogLimiter(int maxCount, TimeSpan suspendDuration)
{
    private int _loggedInWindow;
    private long _suspendedUntilMs = long.MinValue;
    private int _suppressed;

    public readonly record struct Decision(bool Log, int Suppressed, bool LastBeforePause);

    public Decision Next(long nowMs)
    {
        if (maxCount <= 0) return default;
        if (_suspendedUntilMs != long.MinValue)
        {
            if (nowMs < _suspendedUntilMs)
            {
                _suppressed++;
                return default;
            }
            _suspendedUntilMs = long.MinValue;
            _loggedInWindow = 0;
        }
        var suppressed = _suppressed;
        _suppressed = 0;
        _loggedInWindow++;
        var last = _loggedInWindow >= maxCount;
        if (last) _suspendedUntilMs = nowMs + (long)suspendDuration.TotalMilliseconds;
        return new Decision(true, suppressed, last);
    }
}
