namespace KvActors.Cluster.SplitBrain;

/// <summary>
/// A side with at least <see cref="QuorumSize"/> (Up/Leaving, role) members survives; the other
/// side downs itself. More than quorum-size * 2 - 1 members means the configuration no longer
/// guarantees a single survivor, so everything is downed.
/// </summary>
public sealed class StaticQuorum : DowningStrategy
{
    public StaticQuorum(int quorumSize, string? role = null) : base(role)
    {
        if (quorumSize < 1) throw new ArgumentOutOfRangeException(nameof(quorumSize), "static-quorum quorum-size must be at least 1.");
        QuorumSize = quorumSize;
    }

    public int QuorumSize { get; }

    protected override Decision DecideCleanPartition(ClusterView view)
    {
        var reachable = Counted(view.ReachableMembers).Count();
        var unreachable = Counted(view.UnreachableMembers).Count();
        if (reachable + unreachable > QuorumSize * 2 - 1) return Decision.DownAll;
        if (reachable >= QuorumSize) return Decision.DownUnreachable;
        return Decision.DownReachable;
    }
}
