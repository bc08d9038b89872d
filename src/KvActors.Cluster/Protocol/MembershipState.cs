using System.Collections.Immutable;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// A node's view: the latest gossip and who "self" is. Answers the questions the daemon asks every
/// tick (convergence, leader, gossip target, oldest). Immutable and pure.
/// </summary>
public sealed class MembershipState
{
    public MembershipState(Gossip latest, UniqueAddress selfUniqueAddress)
    {
        Latest = latest;
        SelfUniqueAddress = selfUniqueAddress;
    }

    public Gossip Latest { get; }
    public UniqueAddress SelfUniqueAddress { get; }

    public MembershipState WithLatest(Gossip latest) => new(latest, SelfUniqueAddress);

    public Member? SelfMember => Latest.TryGetMember(SelfUniqueAddress);
    public ImmutableSortedSet<Member> Members => Latest.Members;
    public Reachability Reachability => Latest.Overview.Reachability;

    /// <summary>Reachability without the observations of Down members (they no longer count).</summary>
    public Reachability ReachabilityExcludingDownedObservers
    {
        get
        {
            var downed = Latest.Members.Where(m => m.Status == MemberStatus.Down).Select(m => m.UniqueAddress).ToList();
            return downed.Count == 0 ? Reachability : Reachability.RemoveObservers(downed);
        }
    }

    /// <summary>
    /// True when every member that is not Down/Exiting/Removed and not unreachable has seen the
    /// current version (or is confirmed exiting), and every unreachable member (as any non-Down
    /// observer records it) is Down or Exiting. Self is never counted unreachable.
    /// </summary>
    public bool Convergence(IReadOnlySet<UniqueAddress>? exitingConfirmed = null)
    {
        exitingConfirmed ??= ImmutableHashSet<UniqueAddress>.Empty;
        var unreachable = ReachabilityExcludingDownedObservers.AllUnreachableOrTerminated;
        foreach (var node in unreachable)
        {
            if (node == SelfUniqueAddress || exitingConfirmed.Contains(node)) continue;
            if (Latest.TryGetMember(node) is { } m && m.Status is not (MemberStatus.Down or MemberStatus.Exiting))
                return false;
        }
        foreach (var m in Latest.Members)
        {
            if (m.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Removed) continue;
            if (unreachable.Contains(m.UniqueAddress) && m.UniqueAddress != SelfUniqueAddress) continue;
            if (!Latest.SeenByNode(m.UniqueAddress) && !exitingConfirmed.Contains(m.UniqueAddress)) return false;
        }
        return true;
    }

    /// <summary>
    /// The leader: among members that are not Down and are reachable (by every non-Down observer;
    /// self always counts as reachable), the first by address with status Up or Leaving; when there
    /// is none, the first of the rest, Exiting ones last. Null when there are no candidates.
    /// </summary>
    public UniqueAddress? Leader => LeaderOf(Latest.Members);

    public bool IsLeader(UniqueAddress node) => Leader == node;

    /// <summary>The leader among members with <paramref name="role"/>.</summary>
    public UniqueAddress? RoleLeader(string role) => LeaderOf(Latest.Members.Where(m => m.HasRole(role)));

    private UniqueAddress? LeaderOf(IEnumerable<Member> members)
    {
        var reachability = ReachabilityExcludingDownedObservers;
        var candidates = members
            .Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Removed)
                        && (m.UniqueAddress == SelfUniqueAddress || reachability.IsReachable(m.UniqueAddress)))
            .ToList(); // already in address order
        if (candidates.Count == 0) return null;
        var up = candidates.FirstOrDefault(m => m.Status is MemberStatus.Up or MemberStatus.Leaving);
        if (up is not null) return up.UniqueAddress;
        return (candidates.FirstOrDefault(m => m.Status != MemberStatus.Exiting) ?? candidates[0]).UniqueAddress;
    }

    /// <summary>A node self may gossip to: a member other than self that self does not see as unreachable.</summary>
    public bool ValidNodeForGossip(UniqueAddress node) =>
        node != SelfUniqueAddress
        && Latest.HasMember(node)
        && Reachability.IsReachable(SelfUniqueAddress, node);

    /// <summary>Every valid gossip target, those that have not seen the current version first, each group shuffled.</summary>
    public IReadOnlyList<UniqueAddress> GossipTargets(Random rnd)
    {
        var valid = Latest.Members.Select(m => m.UniqueAddress).Where(ValidNodeForGossip).ToList();
        var notSeen = valid.Where(n => !Latest.SeenByNode(n)).ToArray();
        var seen = valid.Where(n => Latest.SeenByNode(n)).ToArray();
        rnd.Shuffle(notSeen);
        rnd.Shuffle(seen);
        return [.. notSeen, .. seen];
    }

    /// <summary>
    /// Whom to gossip to now: with probability <paramref name="differentViewProbability"/> a random
    /// valid member that has not seen the current version (when there is one), else a random valid
    /// member. Null when there is no valid target.
    /// </summary>
    public UniqueAddress? PreferredGossipTarget(Random rnd, double differentViewProbability = 0.8)
    {
        var valid = Latest.Members.Select(m => m.UniqueAddress).Where(ValidNodeForGossip).ToList();
        if (valid.Count == 0) return null;
        if (rnd.NextDouble() < differentViewProbability)
        {
            var notSeen = valid.Where(n => !Latest.SeenByNode(n)).ToList();
            if (notSeen.Count > 0) return notSeen[rnd.Next(notSeen.Count)];
        }
        return valid[rnd.Next(valid.Count)];
    }

    /// <summary>The oldest Up or Leaving member (with <paramref name="role"/> when given); null when none.</summary>
    public Member? Oldest(string? role = null) =>
        Latest.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving && (role is null || m.HasRole(role)))
            .OrderBy(m => m, Member.AgeOrdering)
            .FirstOrDefault();

    /// <summary>The youngest member that is not Down or Removed (Joining ones are youngest); null when none.</summary>
    public Member? Youngest(string? role = null) =>
        Latest.Members
            .Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Removed) && (role is null || m.HasRole(role)))
            .OrderBy(m => m, Member.AgeOrdering)
            .LastOrDefault();

    /// <summary>
    /// The heartbeat ring of self over the current members; a member counts as unreachable when a
    /// non-Down observer records it so (observations of downed members are void, or a member only
    /// they watched would never be monitored again).
    /// </summary>
    public HeartbeatNodeRing HeartbeatRing(int monitoredByNrOfMembers) =>
        new(SelfUniqueAddress, Latest.Members.Select(m => m.UniqueAddress),
            ReachabilityExcludingDownedObservers.AllUnreachableOrTerminated, monitoredByNrOfMembers);

    /// <summary>The highest upNumber given out so far among current members (0 when none).</summary>
    public int MaxUpNumber =>
        Latest.Members.Where(m => m.UpNumber != int.MaxValue).Select(m => m.UpNumber).DefaultIfEmpty(0).Max();
}
