namespace KvActors.Actor;

/// <summary>
/// Counts restarts of one child inside the strategy's time window. Pure: the caller passes the
/// time in, so the window logic is testable without a clock.
/// </summary>
public sealed class ChildRestartStats
{
    private int _count;
    private long _windowStartMs = -1;

    public int RestartCount => _count;

    /// <summary>
    /// True when one more restart is allowed. <paramref name="maxNrOfRetries"/> &lt; 0 means no limit;
    /// 0 means never. A null window counts all restarts ever; otherwise the count starts again
    /// when the window since the first counted restart has passed.
    /// </summary>
    public bool RequestRestartPermission(int maxNrOfRetries, TimeSpan? withinTimeRange, long nowMs)
    {
        if (maxNrOfRetries == 0) return false;
        if (maxNrOfRetries < 0 && withinTimeRange is null) return true;
        if (withinTimeRange is { } window)
        {
            if (_windowStartMs < 0 || nowMs - _windowStartMs > (long)window.TotalMilliseconds)
            {
                _windowStartMs = nowMs;
                _count = 0;
            }
        }
        _count++;
        return maxNrOfRetries < 0 || _count <= maxNrOfRetries;
    }
}
