using System.Collections.Immutable;
using KvActors.Remote;

namespace KvActors.Cluster.SplitBrain;

/// <summary>
/// What the resolver decides on: self, the members, the reachability table (observations of Down or
/// Exiting members and about non-members removed) and who has seen the current gossip. A member is
/// unreachable when some remaining observer records it Unreachable or Terminated; self is always
/// reachable.
/// </summary>
public sealed class ClusterView
{
    public ClusterView(UniqueAddress self, IEnumerable<Member> members, Reachability reachability, IReadOnlySet<UniqueAddress>? seenBy = null)
    {
        Self = self;
        Members = members.ToImmutableSortedSet(Member.AddressOrdering);
        var uids = Members.Select(m => m.UniqueAddress).ToHashSet();
        var ignoredObservers = Members.Where(m => m.Status is MemberStatus.Down or MemberStatus.Exiting).Select(m => m.UniqueAddress).ToHashSet();
        Reachability = reachability.FilterRecords(r => uids.Contains(r.Observer) && uids.Contains(r.Subject) && !ignoredObservers.Contains(r.Observer));
        SeenBy = seenBy ?? ImmutableHashSet<UniqueAddress>.Empty;
        var unreachable = Reachability.AllUnreachableOrTerminated;
        UnreachableMembers = Members.Where(m => m.UniqueAddress != self && unreachable.Contains(m.UniqueAddress)).ToImmutableSortedSet(Member.AddressOrdering);
        ReachableMembers = Members.Except(UnreachableMembers).ToImmutableSortedSet(Member.AddressOrdering);
    }

    /// <summary>The view of <paramref name="self"/> holding <paramref name="gossip"/>.</summary>
    public static ClusterView FromGossip(Gossip gossip, UniqueAddress self) =>
        new(self, gossip.Members, gossip.Overview.Reachability, gossip.Overview.Seen);

    public UniqueAddress Self { get; }
    public ImmutableSortedSet<Member> Members { get; }
    public ImmutableSortedSet<Member> ReachableMembers { get; }
    public ImmutableSortedSet<Member> UnreachableMembers { get; }
    public Reachability Reachability { get; }
    public IReadOnlySet<UniqueAddress> SeenBy { get; }

    public bool HasUnreachable => !UnreachableMembers.IsEmpty;

    /// <summary>
    /// True when some unreachable member is not yet Down or Exiting: only then is there a
    /// decision to make (downed members are on their way out already).
    /// </summary>
    public bool NeedsDecision => UnreachableMembers.Any(m => m.Status is not (MemberStatus.Down or MemberStatus.Exiting));

    /// <summary>
    /// Members that are neither cleanly on this side nor cleanly on the other (Akka's indirectly
    /// connected): those that both observe someone unreachable and are observed unreachable
    /// (a cycle in the unreachability graph), and both ends of any unreachable record whose subject
    /// has seen the current gossip (it is evidently reachable through others).
    /// </summary>
    public IReadOnlySet<UniqueAddress> IndirectlyConnected
    {
        get
        {
            var records = Reachability.Records.Where(r => r.Status != Reachability.ReachabilityStatus.Reachable).ToList();
            var observers = records.Select(r => r.Observer).ToHashSet();
            var subjects = records.Select(r => r.Subject).ToHashSet();
            var result = ImmutableSortedSet.CreateBuilder<UniqueAddress>();
            foreach (var o in observers)
                if (subjects.Contains(o)) result.Add(o);
            foreach (var r in records)
                if (SeenBy.Contains(r.Subject)) { result.Add(r.Observer); result.Add(r.Subject); }
            return result.ToImmutable();
        }
    }

    /// <summary>This view with <paramref name="nodes"/> taken out of the reachability analysis (they count on neither side).</summary>
    public ClusterView Without(IReadOnlySet<UniqueAddress> nodes) =>
        new(Self, Members.Where(m => !nodes.Contains(m.UniqueAddress) || m.UniqueAddress == Self),
            Reachability.FilterRecords(r => !nodes.Contains(r.Observer) && !nodes.Contains(r.Subject)), SeenBy);
}
