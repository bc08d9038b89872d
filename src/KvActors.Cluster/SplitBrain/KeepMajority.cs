namespace KvActors.Cluster.SplitBrain;

/// <summary>
/// The side with more (Up/Leaving, role) members survives; on a tie the side holding the member
/// with the lowest address survives. Joining and WeaklyUp members do not count.
/// </summary>
public sealed class KeepMajority(string? role = null) : DowningStrategy(role)
{
    protected override Decision DecideCleanPartition(ClusterView view)
    {
        var reachable = Counted(view.ReachableMembers).ToList();
        var unreachable = Counted(view.UnreachableMembers).ToList();
        if (reachable.Count > unreachable.Count) return Decision.DownUnreachable;
        if (unreachable.Count > reachable.Count) return Decision.DownReachable;
        // Tie (also 0:0, e.g. only joining members): the lowest address decides.
        var pool = reachable.Count > 0 ? reachable.Concat(unreachable) : view.Members.Where(m => Role is null || m.HasRole(Role));
        var lowest = pool.Min(Member.AddressOrdering);
        if (lowest is null) return Decision.DownAll;
        return view.ReachableMembers.Contains(lowest) ? Decision.DownUnreachable : Decision.DownReachable;
    }
}
