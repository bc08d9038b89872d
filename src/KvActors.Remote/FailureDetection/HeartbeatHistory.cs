namespace KvActors.Remote.FailureDetection;

/// <summary>
/// A bounded window of heartbeat inter-arrival intervals with running sum and sum of squares,
/// so mean and variance cost O(1) per heartbeat.
/// </summary>
internal sealed class HeartbeatHistory
{
    private readonly long[] _ring;
    private int _start, _count;
    private double _sum, _sumSquares;

    public HeartbeatHistory(int maxSampleSize) => _ring = new long[maxSampleSize];

    public int Count => _count;
    public double Mean => _count == 0 ? 0 : _sum / _count;
    public double Variance => _count == 0 ? 0 : Math.Max(0, _sumSquares / _count - Mean * Mean);
    public double StdDeviation => Math.Sqrt(Variance);

    public void Add(long interval)
    {
        if (_count == _ring.Length)
        {
            // Full: the oldest sample leaves the window.
            var old = _ring[_start];
            _sum -= old;
            _sumSquares -= (double)old * old;
            _ring[_start] = interval;
            _start = (_start + 1) % _ring.Length;
        }
        else
        {
            _ring[(_start + _count) % _ring.Length] = interval;
            _count++;
        }
        _sum += interval;
        _sumSquares += (double)interval * interval;
    }
}
