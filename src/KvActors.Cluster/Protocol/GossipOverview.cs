using System.Collections.Immutable;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>The part of a gossip that is not membership: who has seen this version, and reachability.</summary>
public sealed record GossipOverview(ImmutableSortedSet<UniqueAddress> Seen, Reachability Reachability)
{
    public static GossipOverview Empty { get; } = new(ImmutableSortedSet<UniqueAddress>.Empty, Reachability.Empty);

    public bool Equals(GossipOverview? other) =>
        other is not null && Seen.SetEquals(other.Seen) && Reachability.Equals(other.Reachability);

    public override int GetHashCode() => HashCode.Combine(Seen.Count, Reachability);
}
