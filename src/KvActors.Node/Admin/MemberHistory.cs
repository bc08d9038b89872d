namespace KvActors.Node.Admin;

/// <summary>A member removed from the cluster, as this node saw it go.</summary>
/// <param name="PreviousStatus">Its status when removed: Down (crashed or downed) or Exiting (left).</param>
public sealed record RemovedMemberView(string Address, string PreviousStatus, DateTimeOffset RemovedAt);

/// <summary>
/// What Akka's current cluster state does not say and an operator asks after a crash: since when a member has been
/// unreachable, and which members were removed lately (the state forgets a member the moment it is removed). Built only
/// from the cluster events this node receives, so it never claims more than Akka told it; time is passed in.
/// </summary>
public sealed class MemberHistory(TimeSpan showRemovedFor)
{
    private readonly Dictionary<string, DateTimeOffset> _unreachableSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RemovedMemberView> _removed = new(StringComparer.Ordinal);

    public void Apply(ClusterEventView e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e.Kind)
        {
            case "Unreachable":
                _unreachableSince.TryAdd(e.Address, e.At);
                break;
            case "Reachable":
                _unreachableSince.Remove(e.Address);
                break;
            case "MemberRemoved":
                _unreachableSince.Remove(e.Address);
                _removed[e.Address] = new RemovedMemberView(e.Address, PreviousStatus(e.Detail), e.At);
                break;
            case "MemberJoined" or "MemberUp" or "MemberWeaklyUp":
                // A new incarnation on the same host:port: it is back, not gone.
                _removed.Remove(e.Address);
                break;
        }
    }

    /// <summary>How long <paramref name="address"/> has been unreachable; null when this node did not see it become so.</summary>
    public TimeSpan? UnreachableFor(string address, DateTimeOffset now) =>
        _unreachableSince.TryGetValue(address, out var since) ? Max(now - since, TimeSpan.Zero) : null;

    /// <summary>The members removed within the last <c>showRemovedFor</c>, newest first; older ones are forgotten.</summary>
    public IReadOnlyList<RemovedMemberView> Removed(DateTimeOffset now)
    {
        foreach (var old in _removed.Values.Where(r => now - r.RemovedAt > showRemovedFor).ToList())
            _removed.Remove(old.Address);
        return [.. _removed.Values.OrderByDescending(r => r.RemovedAt).ThenBy(r => r.Address, StringComparer.Ordinal)];
    }

    /// <summary>ClusterEventListener writes a removal's detail as "was STATUS".</summary>
    private static string PreviousStatus(string? detail) =>
        detail is not null && detail.StartsWith("was ", StringComparison.Ordinal) ? detail[4..] : "";

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
