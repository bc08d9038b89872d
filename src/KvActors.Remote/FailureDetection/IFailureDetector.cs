namespace KvActors.Remote.FailureDetection;

/// <summary>
/// A failure detector for one monitored resource. Pure: the caller passes the current time
/// (milliseconds on any monotonic clock), so tests and simulations drive it deterministically.
/// </summary>
public interface IFailureDetector
{
    /// <summary>False once the resource is judged failed at <paramref name="nowMs"/>.</summary>
    bool IsAvailable(long nowMs);
    /// <summary>True after the first heartbeat.</summary>
    bool IsMonitoring { get; }
    /// <summary>Records a heartbeat that arrived at <paramref name="nowMs"/>.</summary>
    void Heartbeat(long nowMs);
}
