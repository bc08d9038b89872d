using System.Collections.Immutable;
using KvActors.Remote;

namespace KvActors.Cluster.SplitBrain;

/// <summary>
/// A split-brain resolver strategy. <see cref="Decide"/> first handles indirectly connected members
/// (Akka's rule: if every unreachable member is indirectly connected, down just those; otherwise
/// decide the clean partition without them and down them too), then asks the strategy about the
/// clean partition. Pure: the caller decides when (after stable-after) and only on the leader.
/// </summary>
public abstract class DowningStrategy
{
    /// <summary>The role whose members count (null = all members).</summary>
    public string? Role { get; }

    protected DowningStrategy(string? role) => Role = string.IsNullOrEmpty(role) ? null : role;

    public Decision Decide(ClusterView view)
    {
        var indirect = view.IndirectlyConnected;
        if (indirect.Count == 0)
            return view.HasUnreachable ? DecideCleanPartition(view) : Decision.DownUnreachable; // nothing to down
        var unreachable = view.UnreachableMembers.Select(m => m.UniqueAddress);
        if (unreachable.All(indirect.Contains)) return Decision.DownIndirectlyConnected;
        return DecideCleanPartition(view.Without(indirect)) switch
        {
            Decision.DownUnreachable => Decision.DownIndirectlyConnected,
            Decision.DownReachable => Decision.ReverseDownIndirectlyConnected,
            var d => d,
        };
    }

    /// <summary>The strategy's rule for a partition with no indirectly connected members.</summary>
    protected abstract Decision DecideCleanPartition(ClusterView view);

    /// <summary>The members <paramref name="decision"/> downs: never those already Down or Exiting.</summary>
    public IReadOnlySet<UniqueAddress> NodesToDown(ClusterView view, Decision decision)
    {
        var downable = view.Members.Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Removed))
            .Select(m => m.UniqueAddress).ToHashSet();
        IEnumerable<UniqueAddress> chosen = decision switch
        {
            Decision.DownUnreachable => view.UnreachableMembers.Select(m => m.UniqueAddress),
            Decision.DownReachable => view.ReachableMembers.Select(m => m.UniqueAddress),
            Decision.DownAll => view.Members.Select(m => m.UniqueAddress),
            Decision.DownIndirectlyConnected => view.IndirectlyConnected.Concat(view.UnreachableMembers.Select(m => m.UniqueAddress)),
            Decision.ReverseDownIndirectlyConnected => view.IndirectlyConnected.Concat(
                view.Without(view.IndirectlyConnected).ReachableMembers.Select(m => m.UniqueAddress)),
            _ => throw new ArgumentOutOfRangeException(nameof(decision)),
        };
        return chosen.Where(downable.Contains).ToImmutableSortedSet();
    }

    public IReadOnlySet<UniqueAddress> NodesToDown(ClusterView view) => NodesToDown(view, Decide(view));

    // ---- helpers for strategies ----

    /// <summary>Members that count for the decision: Up or Leaving, with the role when one is set.</summary>
    protected IEnumerable<Member> Counted(IEnumerable<Member> members) =>
        members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving && (Role is null || m.HasRole(Role)));

    /// <summary>Builds the strategy kvactors.cluster.split-brain-resolver names.</summary>
    public static DowningStrategy FromSettings(SplitBrainResolverSettings settings) => settings.ActiveStrategy switch
    {
        "keep-majority" => new KeepMajority(settings.KeepMajorityRole),
        "static-quorum" => new StaticQuorum(settings.StaticQuorumSize, settings.StaticQuorumRole),
        "keep-oldest" => new KeepOldest(settings.KeepOldestDownIfAlone, settings.KeepOldestRole),
        "down-all" => new DownAll(),
        var s => throw new ArgumentException($"kvactors.cluster.split-brain-resolver.active-strategy '{s}' is not one of keep-majority, static-quorum, keep-oldest, down-all."),
    };
}
