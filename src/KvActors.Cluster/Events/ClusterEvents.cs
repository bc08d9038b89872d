using System.Collections.Immutable;
using KvActors.Actor;

namespace KvActors.Cluster;

/// <summary>Something that changed in the membership, published on the system's event stream.</summary>
public interface IClusterDomainEvent;

/// <summary>A member's status changed (Akka's member events).</summary>
public abstract record MemberEvent(Member Member) : IClusterDomainEvent;

public sealed record MemberJoined(Member Member) : MemberEvent(Member);
public sealed record MemberWeaklyUp(Member Member) : MemberEvent(Member);
public sealed record MemberUp(Member Member) : MemberEvent(Member);
public sealed record MemberLeft(Member Member) : MemberEvent(Member);
public sealed record MemberExited(Member Member) : MemberEvent(Member);
public sealed record MemberDowned(Member Member) : MemberEvent(Member);

/// <summary>The member is gone for good; <paramref name="PreviousStatus"/> says how it left (Exiting = gracefully, Down = downed).</summary>
public sealed record MemberRemoved(Member Member, MemberStatus PreviousStatus) : MemberEvent(Member);

/// <summary>A member's reachability, as the failure detectors of the cluster see it.</summary>
public abstract record ReachabilityEvent(Member Member) : IClusterDomainEvent;

public sealed record UnreachableMember(Member Member) : ReachabilityEvent(Member);
public sealed record ReachableMember(Member Member) : ReachabilityEvent(Member);

/// <summary>The leader (the node performing leader actions) changed; null while there is none.</summary>
public sealed record LeaderChanged(Address? Leader) : IClusterDomainEvent;

/// <summary>The whole picture, sent first to every new subscriber.</summary>
public sealed record CurrentClusterState(
    ImmutableSortedSet<Member> Members,
    IReadOnlySet<Member> Unreachable,
    IReadOnlySet<Address> SeenBy,
    Address? Leader)
{
    public static CurrentClusterState Empty { get; } =
        new(ImmutableSortedSet.Create(Member.AddressOrdering), ImmutableHashSet<Member>.Empty, ImmutableHashSet<Address>.Empty, null);
}
