namespace KvActors.Remote.Transport;

/// <summary>Exponential gate duration: min, 2·min, 4·min ... capped at max. Pure.</summary>
public static class Backoff
{
    public static TimeSpan ForAttempt(int consecutiveFailures, TimeSpan min, TimeSpan max)
    {
        if (consecutiveFailures <= 1) return min;
        var shift = Math.Min(consecutiveFailures - 1, 30);
        var ticks = min.Ticks * (double)(1L << shift);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }
}
