namespace KvActors.Remote.FailureDetection;

/// <summary>
/// One failure detector per monitored resource (a remote address here; a cluster member in the
/// cluster layer), created on the first heartbeat. Thread-safe; time is passed in.
/// </summary>
public sealed class FailureDetectorRegistry<T> where T : notnull
{
    private readonly Func<IFailureDetector> _factory;
    private readonly Dictionary<T, IFailureDetector> _detectors = new();
    private readonly object _lock = new();

    public FailureDetectorRegistry(Func<IFailureDetector> factory) => _factory = factory;

    /// <summary>Records a heartbeat from <paramref name="resource"/>, starting to monitor it if new.</summary>
    public void Heartbeat(T resource, long nowMs)
    {
        lock (_lock)
        {
            if (!_detectors.TryGetValue(resource, out var d))
                _detectors[resource] = d = _factory();
            d.Heartbeat(nowMs);
        }
    }

    /// <summary>True for a resource never heard of: absence of evidence is not failure.</summary>
    public bool IsAvailable(T resource, long nowMs)
    {
        lock (_lock) return !_detectors.TryGetValue(resource, out var d) || d.IsAvailable(nowMs);
    }

    public bool IsMonitoring(T resource)
    {
        lock (_lock) return _detectors.TryGetValue(resource, out var d) && d.IsMonitoring;
    }

    /// <summary>Stops monitoring; the next heartbeat starts a fresh history.</summary>
    public void Remove(T resource)
    {
        lock (_lock) _detectors.Remove(resource);
    }

    public void Reset()
    {
        lock (_lock) _detectors.Clear();
    }

    public IReadOnlyList<T> Monitored
    {
        get { lock (_lock) return _detectors.Keys.ToArray(); }
    }
}
