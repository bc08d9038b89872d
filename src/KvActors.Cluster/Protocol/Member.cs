using System.Collections.Immutable;
using KvActors.Actor;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// One cluster member as the gossip knows it. Equality is by value: uid address, status, upNumber
/// and the role set (compared as sets), so two gossips can be compared member by member.
/// </summary>
public sealed record Member(UniqueAddress UniqueAddress, MemberStatus Status, int UpNumber, IReadOnlySet<string> Roles)
{
    private static readonly IReadOnlySet<string> NoRoles = ImmutableSortedSet<string>.Empty;

    /// <summary>Orders members by address (host, port, system) then uid: leader choice and tie-breaks use it.</summary>
    public static IComparer<Member> AddressOrdering { get; } =
        Comparer<Member>.Create((a, b) => ReferenceEquals(a, b) ? 0 : a.UniqueAddress.CompareTo(b.UniqueAddress));

    /// <summary>Orders members oldest first (see <see cref="IsOlderThan"/>).</summary>
    public static IComparer<Member> AgeOrdering { get; } =
        Comparer<Member>.Create((a, b) => a.UniqueAddress == b.UniqueAddress ? 0 : a.IsOlderThan(b) ? -1 : 1);

    /// <summary>A new member as it asks to join: Joining, no upNumber yet (int.MaxValue).</summary>
    public static Member Create(UniqueAddress uniqueAddress, IEnumerable<string> roles) =>
        new(uniqueAddress, MemberStatus.Joining, int.MaxValue, roles.ToImmutableSortedSet(StringComparer.Ordinal));

    public Address Address => UniqueAddress.Address;

    public bool HasRole(string role) => Roles.Contains(role);

    /// <summary>This member with another status; throws on a transition Akka does not allow.</summary>
    public Member Copy(MemberStatus status)
    {
        if (!MemberStatusTransitions.IsAllowed(Status, status))
            throw new InvalidOperationException($"Member {UniqueAddress} may not go from {Status} to {status}.");
        return Status == status ? this : this with { Status = status };
    }

    /// <summary>This (Joining or WeaklyUp) member made Up with its age rank.</summary>
    public Member CopyUp(int upNumber) => Copy(MemberStatus.Up) with { UpNumber = upNumber };

    /// <summary>The upNumber that counts for age: Joining and WeaklyUp members are the youngest.</summary>
    internal int EffectiveUpNumber => Status is MemberStatus.Joining or MemberStatus.WeaklyUp ? int.MaxValue : UpNumber;

    /// <summary>Lower upNumber is older; equal upNumbers fall back to address order (lower is older).</summary>
    public bool IsOlderThan(Member other)
    {
        var a = EffectiveUpNumber;
        var b = other.EffectiveUpNumber;
        return a != b ? a < b : UniqueAddress.CompareTo(other.UniqueAddress) < 0;
    }

    public bool Equals(Member? other) =>
        other is not null
        && UniqueAddress.Equals(other.UniqueAddress)
        && Status == other.Status
        && UpNumber == other.UpNumber
        && (ReferenceEquals(Roles, other.Roles) || Roles.SetEquals(other.Roles));

    public override int GetHashCode() => HashCode.Combine(UniqueAddress, Status, UpNumber, Roles.Count);

    public override string ToString() =>
        $"Member({UniqueAddress}, {Status}{(UpNumber == int.MaxValue ? "" : $", up #{UpNumber}")}{(Roles.Count == 0 ? "" : $", roles [{string.Join(",", Roles.Order(StringComparer.Ordinal))}]")})";

    internal static IReadOnlySet<string> EmptyRoles => NoRoles;
}
