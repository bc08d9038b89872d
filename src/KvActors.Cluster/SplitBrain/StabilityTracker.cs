using System.Text;

namespace KvActors.Cluster.SplitBrain;

/// <summary>
/// Tells the resolver when to act: only once membership and reachability have not changed for
/// stable-after, and (down-all-when-unstable) to down everything when unreachability has kept
/// changing for longer than stable-after + down-all-when-unstable. Mutable, single-threaded, time
/// passed in.
/// </summary>
public sealed class StabilityTracker
{
    private string? _fingerprint;
    private long _lastChangeMs;
    private long? _unstableSinceMs;

    /// <param name="stableAfter">How long nothing may change before a decision.</param>
    /// <param name="downAllWhenUnstable">Extra time of continuous change (while something is unreachable) after which everything is downed; null = never.</param>
    public StabilityTracker(TimeSpan stableAfter, TimeSpan? downAllWhenUnstable = null)
    {
        if (stableAfter <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(stableAfter), "stable-after must be positive.");
        StableAfter = stableAfter;
        DownAllWhenUnstable = downAllWhenUnstable;
    }

    public TimeSpan StableAfter { get; }
    public TimeSpan? DownAllWhenUnstable { get; }

    /// <summary>Since when unreachability has been present without a stable period (null when all reachable).</summary>
    public long? UnstableSinceMs => _unstableSinceMs;

    public long LastChangeMs => _lastChangeMs;

    /// <summary>Feeds the current view; a change of members, statuses or reachability restarts the stable-after clock.</summary>
    public void Update(ClusterView view, long nowMs) => Update(Fingerprint(view), view.HasUnreachable, nowMs);

    /// <summary>Feeds a fingerprint of membership and reachability; <paramref name="anyUnreachable"/> says whether a decision is pending.</summary>
    public void Update(string fingerprint, bool anyUnreachable, long nowMs)
    {
        if (_fingerprint is null || _fingerprint != fingerprint)
        {
            _fingerprint = fingerprint;
            _lastChangeMs = nowMs;
        }
        if (!anyUnreachable) _unstableSinceMs = null;
        else _unstableSinceMs ??= nowMs;
    }

    /// <summary>True when nothing has changed for stable-after.</summary>
    public bool IsStable(long nowMs) => _fingerprint is not null && nowMs - _lastChangeMs >= (long)StableAfter.TotalMilliseconds;

    /// <summary>True when unreachability has kept changing for stable-after + down-all-when-unstable.</summary>
    public bool ShouldDownAll(long nowMs) =>
        DownAllWhenUnstable is { } extra && _unstableSinceMs is { } since && !IsStable(nowMs)
        && nowMs - since >= (long)(StableAfter + extra).TotalMilliseconds;

    /// <summary>Call after acting on a decision: the next one needs a fresh stable period.</summary>
    public void Reset(long nowMs)
    {
        _lastChangeMs = nowMs;
        _unstableSinceMs = null;
    }

    /// <summary>Members (uid, status) and the unreachable records, as text.</summary>
    public static string Fingerprint(ClusterView view)
    {
        var sb = new StringBuilder();
        foreach (var m in view.Members) sb.Append(m.UniqueAddress).Append('=').Append((int)m.Status).Append(';');
        sb.Append('|');
        foreach (var r in view.Reachability.Records)
            if (r.Status != Reachability.ReachabilityStatus.Reachable)
                sb.Append(r.Observer.Uid).Append('>').Append(r.Subject.Uid).Append(':').Append((int)r.Status).Append(';');
        return sb.ToString();
    }
}
