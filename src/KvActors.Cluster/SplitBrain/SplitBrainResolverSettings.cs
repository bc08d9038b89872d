namespace KvActors.Cluster.SplitBrain;

/// <summary>kvactors.cluster.split-brain-resolver: which strategy, and when it may act.</summary>
public sealed record SplitBrainResolverSettings
{
    /// <summary>keep-majority, static-quorum, keep-oldest, down-all, or off (no automatic downing).</summary>
    public string ActiveStrategy { get; init; } = "keep-majority";
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromMilliseconds(1500);
    /// <summary>Null = off.</summary>
    public TimeSpan? DownAllWhenUnstable { get; init; } = TimeSpan.FromMilliseconds(1125);
    public int StaticQuorumSize { get; init; } = 2;
    public string? StaticQuorumRole { get; init; }
    public string? KeepMajorityRole { get; init; }
    public bool KeepOldestDownIfAlone { get; init; } = true;
    public string? KeepOldestRole { get; init; }

    public bool IsActive => ActiveStrategy != "off";

    /// <summary>The configured strategy; null when the resolver is off.</summary>
    public DowningStrategy? CreateStrategy() => IsActive ? DowningStrategy.FromSettings(this) : null;

    public StabilityTracker CreateTracker() => new(StableAfter, DownAllWhenUnstable);
}
