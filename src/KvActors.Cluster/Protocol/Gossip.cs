using System.Collections.Immutable;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// The replicated cluster state every member gossips: members (sorted by address), overview (seen
/// set and reachability), a vector clock and the tombstones of removed uids (uid -> removal time in
/// ms) so that a removed incarnation never comes back through an old gossip. Immutable.
/// </summary>
public sealed class Gossip : IEquatable<Gossip>
{
    private static readonly ImmutableSortedSet<Member> NoMembers = ImmutableSortedSet.Create(Member.AddressOrdering);
    private static readonly ImmutableSortedDictionary<UniqueAddress, long> NoTombstones = ImmutableSortedDictionary.Create<UniqueAddress, long>();

    public static Gossip Empty { get; } = new(NoMembers, GossipOverview.Empty, VectorClock.Empty, NoTombstones);

    public ImmutableSortedSet<Member> Members { get; }
    public GossipOverview Overview { get; }
    public VectorClock Version { get; }
    public ImmutableSortedDictionary<UniqueAddress, long> Tombstones { get; }

    private readonly ImmutableDictionary<UniqueAddress, Member> _byUid;

    public Gossip(ImmutableSortedSet<Member> members, GossipOverview overview, VectorClock version, ImmutableSortedDictionary<UniqueAddress, long> tombstones)
    {
        if (members.KeyComparer != Member.AddressOrdering) members = members.WithComparer(Member.AddressOrdering);
        Members = members;
        Overview = overview;
        Version = version;
        Tombstones = tombstones;
        _byUid = members.ToImmutableDictionary(m => m.UniqueAddress);
    }

    public static Gossip Create(IEnumerable<Member> members) =>
        new(NoMembers.Union(members), GossipOverview.Empty, VectorClock.Empty, NoTombstones);

    private Gossip With(ImmutableSortedSet<Member>? members = null, GossipOverview? overview = null, VectorClock? version = null,
        ImmutableSortedDictionary<UniqueAddress, long>? tombstones = null) =>
        new(members ?? Members, overview ?? Overview, version ?? Version, tombstones ?? Tombstones);

    public bool HasMember(UniqueAddress node) => _byUid.ContainsKey(node);

    /// <summary>The member with this uid; throws when there is none (use <see cref="TryGetMember"/>).</summary>
    public Member GetMember(UniqueAddress node) =>
        _byUid.TryGetValue(node, out var m) ? m : throw new KeyNotFoundException($"{node} is not a member of this gossip.");

    public Member? TryGetMember(UniqueAddress node) => _byUid.GetValueOrDefault(node);

    public bool IsTombstoned(UniqueAddress node) => Tombstones.ContainsKey(node);

    // ---- versions and seen ----

    public VectorClock.Ordering Compare(Gossip other) => Version.Compare(other.Version);
    public bool IsSameVersion(Gossip other) => Version.Compare(other.Version) == VectorClock.Ordering.Same;

    /// <summary>Adds <paramref name="node"/> to the seen set.</summary>
    public Gossip Seen(UniqueAddress node) =>
        Overview.Seen.Contains(node) ? this : With(overview: Overview with { Seen = Overview.Seen.Add(node) });

    /// <summary>Only <paramref name="node"/> has seen this version.</summary>
    public Gossip OnlySeen(UniqueAddress node) =>
        With(overview: Overview with { Seen = ImmutableSortedSet.Create(node) });

    public Gossip ClearSeen() => With(overview: Overview with { Seen = ImmutableSortedSet<UniqueAddress>.Empty });

    /// <summary>Union of both seen sets (for a gossip of the same version from someone else).</summary>
    public Gossip MergeSeen(Gossip other) =>
        With(overview: Overview with { Seen = Overview.Seen.Union(other.Overview.Seen) });

    public bool SeenByNode(UniqueAddress node) => Overview.Seen.Contains(node);

    /// <summary>Bumps <paramref name="self"/>'s clock entry: every change a node makes to the gossip does this.</summary>
    public Gossip IncrementVersion(UniqueAddress self) => With(version: Version.Increment(self));

    // ---- membership changes ----

    /// <summary>Adds or replaces the member with this uid (a tombstoned uid is ignored).</summary>
    public Gossip Update(Member member)
    {
        if (IsTombstoned(member.UniqueAddress)) return this;
        if (_byUid.TryGetValue(member.UniqueAddress, out var old))
        {
            if (old.Equals(member)) return this;
            return With(members: Members.Remove(old).Add(member));
        }
        return With(members: Members.Add(member));
    }

    public Gossip Update(IEnumerable<Member> members) => members.Aggregate(this, (g, m) => g.Update(m));

    public Gossip WithReachability(Reachability reachability) => With(overview: Overview with { Reachability = reachability });

    /// <summary>
    /// Removes <paramref name="node"/> for good: tombstone at <paramref name="nowMs"/>, out of the
    /// members, reachability and seen set, its clock entry pruned.
    /// </summary>
    public Gossip Remove(UniqueAddress node, long nowMs)
    {
        var members = _byUid.TryGetValue(node, out var m) ? Members.Remove(m) : Members;
        return new Gossip(
            members,
            new GossipOverview(Overview.Seen.Remove(node), Overview.Reachability.Remove([node])),
            Version.Prune(node),
            Tombstones.SetItem(node, Math.Max(nowMs, Tombstones.GetValueOrDefault(node, long.MinValue))));
    }

    /// <summary>Drops tombstones older than <paramref name="removeBeforeMs"/>.</summary>
    public Gossip PruneTombstones(long removeBeforeMs)
    {
        var old = Tombstones.Where(t => t.Value < removeBeforeMs).Select(t => t.Key).ToList();
        return old.Count == 0 ? this : With(tombstones: Tombstones.RemoveRange(old));
    }

    // ---- merge ----

    /// <summary>
    /// Joins two concurrent gossips: clocks merged; members united, for one uid the higher status
    /// precedence wins (then the lower upNumber; roles united); tombstones united (later time) and
    /// tombstoned members dropped; reachability merged over the surviving members; seen cleared.
    /// Commutative, associative and idempotent in members, reachability, tombstones and version.
    /// </summary>
    public static Gossip Merge(Gossip a, Gossip b)
    {
        var tombstones = a.Tombstones;
        foreach (var (node, t) in b.Tombstones)
            if (!tombstones.TryGetValue(node, out var mine) || mine < t) tombstones = tombstones.SetItem(node, t);

        var byUid = new Dictionary<UniqueAddress, Member>();
        foreach (var m in a.Members.Concat(b.Members))
        {
            if (tombstones.ContainsKey(m.UniqueAddress)) continue;
            byUid[m.UniqueAddress] = byUid.TryGetValue(m.UniqueAddress, out var other) ? HighestPriorityOf(other, m) : m;
        }
        var members = NoMembers.Union(byUid.Values);
        var reachability = a.Overview.Reachability.Merge(byUid.Keys.ToHashSet(), b.Overview.Reachability);
        var version = a.Version.Merge(b.Version);
        foreach (var removed in tombstones.Keys) version = version.Prune(removed);
        return new Gossip(members, new GossipOverview(ImmutableSortedSet<UniqueAddress>.Empty, reachability), version, tombstones);
    }

    /// <summary>Of two views of one member, the one that wins a merge.</summary>
    public static Member HighestPriorityOf(Member m1, Member m2)
    {
        var p1 = MemberStatusTransitions.Precedence(m1.Status);
        var p2 = MemberStatusTransitions.Precedence(m2.Status);
        if (p1 != p2) return p1 > p2 ? m1 : m2;
        if (m1.UpNumber != m2.UpNumber) return m1.UpNumber < m2.UpNumber ? m1 : m2;
        if (m1.Roles.SetEquals(m2.Roles)) return m1;
        return m1 with { Roles = m1.Roles.Union(m2.Roles).ToImmutableSortedSet(StringComparer.Ordinal) };
    }

    // ---- equality (for tests and change detection) ----

    /// <summary>Same members (by value), overview, version and tombstones.</summary>
    public bool Equals(Gossip? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Members.SequenceEqual(other.Members)
                && Overview.Equals(other.Overview)
                && Version.Equals(other.Version)
                && Tombstones.Count == other.Tombstones.Count
                && Tombstones.All(t => other.Tombstones.TryGetValue(t.Key, out var v) && v == t.Value)));

    public override bool Equals(object? obj) => Equals(obj as Gossip);
    public override int GetHashCode() => HashCode.Combine(Members.Count, Version);

    public override string ToString() =>
        $"Gossip(members [{string.Join(", ", Members)}], seen [{string.Join(", ", Overview.Seen.Select(s => s.Uid))}], {Overview.Reachability}, {Version}, tombstones [{string.Join(", ", Tombstones.Keys.Select(t => t.Uid))}])";
}
