using System.Collections.Immutable;
using KvActors.Actor;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// The events that turn one gossip into the next, as seen by one node. Pure, so every change
/// the daemon makes produces events the same way and tests can check them on tables.
/// </summary>
public static class ClusterEventDiff
{
    public static IReadOnlyList<IClusterDomainEvent> Diff(Gossip before, Gossip after, UniqueAddress self)
    {
        var events = new List<IClusterDomainEvent>();
        var old = before.Members.ToDictionary(m => m.UniqueAddress);
        foreach (var m in after.Members)
        {
            old.TryGetValue(m.UniqueAddress, out var was);
            if (was is not null && was.Status == m.Status) continue;
            IClusterDomainEvent? e = m.Status switch
            {
                MemberStatus.Joining => new MemberJoined(m),
                MemberStatus.WeaklyUp => new MemberWeaklyUp(m),
                MemberStatus.Up => new MemberUp(m),
                MemberStatus.Leaving => new MemberLeft(m),
                MemberStatus.Exiting => new MemberExited(m),
                MemberStatus.Down => new MemberDowned(m),
                _ => null,
            };
            if (e is not null) events.Add(e);
        }
        var now = after.Members.Select(m => m.UniqueAddress).ToHashSet();
        foreach (var (node, m) in old)
            if (!now.Contains(node)) events.Add(new MemberRemoved(m with { Status = MemberStatus.Removed }, m.Status));

        var unreachableBefore = Unreachable(before, self).Select(m => m.UniqueAddress).ToHashSet();
        var unreachableAfter = Unreachable(after, self);
        foreach (var m in unreachableAfter)
            if (!unreachableBefore.Contains(m.UniqueAddress)) events.Add(new UnreachableMember(m));
        var afterSet = unreachableAfter.Select(m => m.UniqueAddress).ToHashSet();
        foreach (var m in after.Members)
            if (unreachableBefore.Contains(m.UniqueAddress) && !afterSet.Contains(m.UniqueAddress)) events.Add(new ReachableMember(m));

        var leaderBefore = new MembershipState(before, self).Leader;
        var leaderAfter = new MembershipState(after, self).Leader;
        if (leaderBefore != leaderAfter) events.Add(new LeaderChanged(leaderAfter?.Address));
        return events;
    }

    /// <summary>The state a subscriber gets first.</summary>
    public static CurrentClusterState StateOf(Gossip gossip, UniqueAddress self) => new(
        gossip.Members,
        Unreachable(gossip, self).ToImmutableHashSet(),
        gossip.Overview.Seen.Select(s => s.Address).ToImmutableHashSet(),
        new MembershipState(gossip, self).Leader?.Address);

    /// <summary>
    /// Members some (not downed) observer records as unreachable, except self. A downed member
    /// stays unreachable until it is removed, so downing it is not reported as "reachable again".
    /// </summary>
    private static IReadOnlyList<Member> Unreachable(Gossip gossip, UniqueAddress self)
    {
        var unreachable = new MembershipState(gossip, self).ReachabilityExcludingDownedObservers.AllUnreachableOrTerminated;
        return gossip.Members.Where(m => m.UniqueAddress != self && unreachable.Contains(m.UniqueAddress)).ToList();
    }
}
