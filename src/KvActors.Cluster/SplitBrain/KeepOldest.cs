namespace KvActors.Cluster.SplitBrain;

/// <summary>
/// The side with the oldest (Up/Leaving, role) member survives. With <see cref="DownIfAlone"/>, an
/// oldest member cut off alone (its side has only it, the other side at least two) downs itself and
/// the other side survives instead.
/// </summary>
public sealed class KeepOldest(bool downIfAlone = true, string? role = null) : DowningStrategy(role)
{
    public bool DownIfAlone { get; } = downIfAlone;

    protected override Decision DecideCleanPartition(ClusterView view)
    {
        var reachable = Counted(view.ReachableMembers).ToList();
        var unreachable = Counted(view.UnreachableMembers).ToList();
        var oldest = reachable.Concat(unreachable).OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        if (oldest is null) return Decision.DownAll;
        var oldestHere = reachable.Contains(oldest);
        if (oldestHere)
            return DownIfAlone && reachable.Count == 1 && unreachable.Count >= 2 ? Decision.DownReachable : Decision.DownUnreachable;
        return DownIfAlone && unreachable.Count == 1 && reachable.Count >= 2 ? Decision.DownUnreachable : Decision.DownReachable;
    }
}
