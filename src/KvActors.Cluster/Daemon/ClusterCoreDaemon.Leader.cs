using KvActors.Cluster.SplitBrain;
using KvActors.Remote;
using Microsoft.Extensions.Logging;

namespace KvActors.Cluster;

/// <summary>
/// Leader actions (on convergence: Joining->Up, Leaving->Exiting, Exiting/Down->Removed;
/// without it, WeaklyUp after a delay), and the split-brain resolver: once membership and
/// reachability have been stable for stable-after, the leader of each side applies the
/// strategy's decision; the side that loses downs itself.
/// </summary>
internal sealed partial class ClusterCoreDaemon
{
    private void PerformLeaderActions()
    {
        if (!IsMember || _shuttingDown || !_state.IsLeader(_self)) return;
        var now = Now;
        Gossip next;
        IReadOnlyList<MemberChange> changes;
        if (_state.Convergence())
        {
            _noConvergenceSinceMs = null;
            next = LeaderActions.Perform(_state, _settings.LeaderSettings, now, out changes);
        }
        else
        {
            _noConvergenceSinceMs ??= now;
            next = LeaderActions.PerformWeaklyUp(_state, _settings.LeaderSettings, now, _noConvergenceSinceMs.Value, out changes);
        }
        if (changes.Count == 0) return;
        foreach (var c in changes)
            _log.LogInformation("Leader: {Address} {From} -> {To}.", c.After.Address, c.From, c.To);
        Adopt(next);
        // A member removed after Exiting is no longer a gossip target: tell it directly, so it knows it may stop.
        foreach (var c in changes)
            if (c.To == MemberStatus.Removed && c.From == MemberStatus.Exiting) SendGossip(c.Before.UniqueAddress);
    }

    /// <summary>Runs on every reaper tick, after reachability was updated.</summary>
    private void SplitBrainResolver()
    {
        if (_downing is null || !IsMember || _shuttingDown) return;
        var now = Now;
        var view = ClusterView.FromGossip(_state.Latest, _self);
        _stability.Update(view, now);
        if (!view.HasUnreachable || !_state.IsLeader(_self)) return;
        IReadOnlySet<UniqueAddress> toDown;
        string why;
        if (_stability.ShouldDownAll(now))
        {
            toDown = view.Members.Select(m => m.UniqueAddress).ToHashSet();
            why = "membership stayed unstable too long (down-all-when-unstable)";
        }
        else if (_stability.IsStable(now))
        {
            var decision = _downing.Decide(view);
            toDown = _downing.NodesToDown(view, decision);
            why = $"{_settings.SplitBrainResolver.ActiveStrategy} decided {decision}";
        }
        else return;

        var gossip = _state.Latest;
        var changed = false;
        foreach (var node in toDown)
        {
            if (gossip.TryGetMember(node) is not { } m || m.Status is MemberStatus.Down or MemberStatus.Removed) continue;
            gossip = gossip.Update(m.Copy(MemberStatus.Down));
            changed = true;
        }
        if (!changed) return;
        _log.LogWarning("Split-brain resolver: {Why}; downing {Nodes}.", why, string.Join(", ", toDown.Select(n => n.Address)));
        UpdateLocal(gossip);
    }
}
