using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// What the leader does to the gossip on its tick. Pure: the caller passes the state and the time
/// and gets the new gossip (version bumped and seen by self when anything changed) plus the changes.
/// </summary>
public static class LeaderActions
{
    /// <summary>
    /// On convergence, when self is the leader: Joining/WeaklyUp -> Up (once at least
    /// <see cref="LeaderSettings.MinNrOfMembers"/> members are Joining/WeaklyUp/Up; upNumbers continue
    /// from the highest in address order), Leaving -> Exiting, and members that already were Exiting
    /// or Down are removed (tombstoned at <paramref name="nowMs"/>). Without convergence or
    /// leadership the gossip comes back unchanged.
    /// </summary>
    public static Gossip Perform(MembershipState state, LeaderSettings settings, long nowMs, out IReadOnlyList<MemberChange> changes,
        IReadOnlySet<UniqueAddress>? exitingConfirmed = null)
    {
        var list = new List<MemberChange>();
        changes = list;
        var self = state.SelfUniqueAddress;
        if (!state.IsLeader(self) || !state.Convergence(exitingConfirmed)) return state.Latest;

        var gossip = state.Latest;
        var enough = gossip.Members.Count(m => m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up) >= settings.MinNrOfMembers;
        var upNumber = state.MaxUpNumber;
        foreach (var m in state.Latest.Members) // address order
        {
            Member? after = null;
            switch (m.Status)
            {
                case MemberStatus.Joining or MemberStatus.WeaklyUp when enough:
                    after = m.CopyUp(++upNumber);
                    break;
                case MemberStatus.Leaving:
                    after = m.Copy(MemberStatus.Exiting);
                    break;
                case MemberStatus.Exiting or MemberStatus.Down:
                    list.Add(new MemberChange(m, m.Copy(MemberStatus.Removed)));
                    gossip = gossip.Remove(m.UniqueAddress, nowMs);
                    continue;
            }
            if (after is not null)
            {
                list.Add(new MemberChange(m, after));
                gossip = gossip.Update(after);
            }
        }
        return list.Count == 0 ? state.Latest : gossip.IncrementVersion(self).OnlySeen(self);
    }

    /// <summary>
    /// Without convergence, when self is the leader and weakly-up is enabled and convergence has been
    /// missing since <paramref name="noConvergenceSinceMs"/> for at least
    /// <see cref="LeaderSettings.WeaklyUpAfter"/>: Joining members that no one records as
    /// unreachable become WeaklyUp. Unchanged otherwise (also when there is convergence: then
    /// <see cref="Perform"/> makes them Up).
    /// </summary>
    public static Gossip PerformWeaklyUp(MembershipState state, LeaderSettings settings, long nowMs, long noConvergenceSinceMs,
        out IReadOnlyList<MemberChange> changes, IReadOnlySet<UniqueAddress>? exitingConfirmed = null)
    {
        var list = new List<MemberChange>();
        changes = list;
        var self = state.SelfUniqueAddress;
        if (settings.WeaklyUpAfter is not { } after
            || nowMs - noConvergenceSinceMs < (long)after.TotalMilliseconds
            || !state.IsLeader(self)
            || state.Convergence(exitingConfirmed))
            return state.Latest;

        var enough = state.Latest.Members.Count(m => m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up) >= settings.MinNrOfMembers;
        if (!enough) return state.Latest;
        var reachability = state.ReachabilityExcludingDownedObservers;
        var gossip = state.Latest;
        foreach (var m in state.Latest.Members)
        {
            if (m.Status != MemberStatus.Joining || !reachability.IsReachable(m.UniqueAddress)) continue;
            var weaklyUp = m.Copy(MemberStatus.WeaklyUp);
            list.Add(new MemberChange(m, weaklyUp));
            gossip = gossip.Update(weaklyUp);
        }
        return list.Count == 0 ? state.Latest : gossip.IncrementVersion(self).OnlySeen(self);
    }
}
