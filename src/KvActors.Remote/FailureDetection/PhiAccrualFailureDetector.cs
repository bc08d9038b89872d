namespace KvActors.Remote.FailureDetection;

/// <summary>
/// The phi accrual failure detector (Hayashibara et al.), with Akka's parameters: phi is the
/// -log10 probability that a heartbeat still arrives after the silence observed so far, given
/// a normal distribution fitted to recent intervals (mean shifted by the acceptable pause).
/// Pure and single-threaded: time is passed in; wrap calls in a lock if shared.
/// </summary>
public sealed class PhiAccrualFailureDetector : IFailureDetector
{
    private readonly PhiAccrualSettings _settings;
    private readonly HeartbeatHistory _history;
    private readonly double _minStdMs, _pauseMs;
    private long? _lastHeartbeatMs;

    public PhiAccrualFailureDetector(PhiAccrualSettings settings)
    {
        settings.Validate();
        _settings = settings;
        _history = new HeartbeatHistory(settings.MaxSampleSize);
        _minStdMs = settings.MinStdDeviation.TotalMilliseconds;
        _pauseMs = settings.AcceptableHeartbeatPause.TotalMilliseconds;
    }

    public double Threshold => _settings.Threshold;
    public bool IsMonitoring => _lastHeartbeatMs.HasValue;
    public bool IsAvailable(long nowMs) => Phi(nowMs) < _settings.Threshold;

    public void Heartbeat(long nowMs)
    {
        if (_lastHeartbeatMs is not { } last)
        {
            // Seed the history with the estimate ± a quarter so phi is meaningful from the start.
            var estimate = (long)_settings.FirstHeartbeatEstimate.TotalMilliseconds;
            var spread = estimate / 4;
            _history.Add(estimate - spread);
            _history.Add(estimate + spread);
        }
        else if (IsAvailable(nowMs))
        {
            // The first heartbeat after a detected failure is not a sample: that long gap would
            // inflate the variance and make the detector slow to notice the next failure.
            _history.Add(Math.Max(0, nowMs - last));
        }
        _lastHeartbeatMs = nowMs;
    }

    /// <summary>Suspicion level at <paramref name="nowMs"/>; 0 before the first heartbeat.</summary>
    public double Phi(long nowMs)
    {
        if (_lastHeartbeatMs is not { } last) return 0.0;
        var elapsed = (double)(nowMs - last);
        var mean = _history.Mean + _pauseMs;
        var std = Math.Max(_history.StdDeviation, _minStdMs);
        return PhiOf(elapsed, mean, std);
    }

    /// <summary>
    /// -log10 of the normal tail P(X > elapsed), using the logistic approximation of the normal
    /// CDF (Bowling et al. 2009), which is cheap and accurate to ~1e-4.
    /// </summary>
    internal static double PhiOf(double elapsed, double mean, double std)
    {
        var y = (elapsed - mean) / std;
        var e = Math.Exp(-y * (1.5976 + 0.070566 * y * y));
        // Two algebraically equal forms; each is numerically stable on its own side of the mean.
        return elapsed > mean
            ? -Math.Log10(e / (1.0 + e))
            : -Math.Log10(1.0 - 1.0 / (1.0 + e));
    }
}
