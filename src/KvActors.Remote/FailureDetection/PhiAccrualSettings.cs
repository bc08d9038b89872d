namespace KvActors.Remote.FailureDetection;

/// <summary>Parameters of <see cref="PhiAccrualFailureDetector"/>, with Akka's meanings.</summary>
public sealed record PhiAccrualSettings
{
    /// <summary>Phi at or above which the resource counts as failed (8-12 typical).</summary>
    public double Threshold { get; init; } = 8.0;
    /// <summary>How many inter-arrival intervals the history keeps.</summary>
    public int MaxSampleSize { get; init; } = 1000;
    /// <summary>Floor on the standard deviation, so very regular heartbeats do not make phi jumpy.</summary>
    public TimeSpan MinStdDeviation { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Extra silence tolerated on top of the mean interval (GC pauses, hiccups).</summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Assumed interval before any has been measured.</summary>
    public TimeSpan FirstHeartbeatEstimate { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Reads threshold, max-sample-size, min-std-deviation and acceptable-heartbeat-pause under
    /// <paramref name="section"/> (a path ending with '.'), with <paramref name="defaults"/> for missing keys;
    /// the first-heartbeat estimate comes from <paramref name="firstEstimateKey"/>, which each user names its own way.
    /// </summary>
    public static PhiAccrualSettings FromConfig(KvActors.Hocon.Config config, string section, string firstEstimateKey, PhiAccrualSettings defaults) => new()
    {
        Threshold = config.GetDouble(section + "threshold", defaults.Threshold),
        MaxSampleSize = config.GetInt(section + "max-sample-size", defaults.MaxSampleSize),
        MinStdDeviation = config.GetTimeSpan(section + "min-std-deviation", defaults.MinStdDeviation),
        AcceptableHeartbeatPause = config.GetTimeSpan(section + "acceptable-heartbeat-pause", defaults.AcceptableHeartbeatPause),
        FirstHeartbeatEstimate = config.GetTimeSpan(section + firstEstimateKey, defaults.FirstHeartbeatEstimate),
    };

    public void Validate()
    {
        if (Threshold <= 0) throw new ArgumentException("failure detector threshold must be positive.");
        if (MaxSampleSize <= 0) throw new ArgumentException("failure detector max-sample-size must be positive.");
        if (MinStdDeviation <= TimeSpan.Zero) throw new ArgumentException("failure detector min-std-deviation must be positive.");
        if (AcceptableHeartbeatPause < TimeSpan.Zero) throw new ArgumentException("failure detector acceptable-heartbeat-pause must not be negative.");
        if (FirstHeartbeatEstimate <= TimeSpan.Zero) throw new ArgumentException("failure detector first heartbeat estimate must be positive.");
    }
}
