namespace KvActors.Cluster;

/// <summary>What the leader's actions depend on (a slice of <see cref="ClusterSettings"/>).</summary>
public sealed record LeaderSettings
{
    /// <summary>Joining members become Up only once at least this many are Joining, WeaklyUp or Up.</summary>
    public int MinNrOfMembers { get; init; } = 1;

    /// <summary>Joining members become WeaklyUp after this long without convergence; null = never.</summary>
    public TimeSpan? WeaklyUpAfter { get; init; } = TimeSpan.FromSeconds(7);

    public static LeaderSettings Default { get; } = new();
}
