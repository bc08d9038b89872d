using KvActors.Cluster.SplitBrain;
using KvActors.Remote;
using KvActors.Remote.FailureDetection;

namespace KvActors.Cluster.Tests.Simulation;

/// <summary>
/// One simulated cluster node: the pure membership core composed the way the cluster daemon will
/// compose it (gossip, merge, seen, leader actions, heartbeat ring + phi detector, reaper,
/// split-brain resolver, shutting itself down when downed or removed). Time is the simulation's.
/// </summary>
internal sealed class SimNode
{
    private readonly ClusterSimulation _sim;
    private readonly ClusterSettings _settings;
    private readonly FailureDetectorRegistry<UniqueAddress> _fd;
    private readonly DowningStrategy? _strategy;
    private readonly StabilityTracker _tracker;
    private HashSet<UniqueAddress> _receivers = [];
    private long? _noConvergenceSinceMs;

    public SimNode(ClusterSimulation sim, int index, UniqueAddress self, ClusterSettings settings)
    {
        _sim = sim;
        Index = index;
        Self = self;
        _settings = settings;
        _fd = new FailureDetectorRegistry<UniqueAddress>(() => new PhiAccrualFailureDetector(settings.FailureDetector));
        _strategy = settings.SplitBrainResolver.CreateStrategy();
        _tracker = settings.SplitBrainResolver.CreateTracker();
    }

    public int Index { get; }
    public UniqueAddress Self { get; }
    public Gossip Latest { get; private set; } = Gossip.Empty;
    public bool Alive { get; private set; } = true;
    public bool Joined { get; private set; }
    public string? ShutdownReason { get; private set; }
    public bool Crashed { get; private set; }
    /// <summary>Every uid this node has seen removed (its tombstones, accumulated).</summary>
    public HashSet<UniqueAddress> EverRemoved { get; } = [];
    public MembershipState State => new(Latest, Self);

    private long Now => _sim.NowMs;

    // ---- lifecycle ----

    /// <summary>The first seed forms the cluster with itself.</summary>
    public void FormCluster()
    {
        Latest = Gossip.Create([Member.Create(Self, [])]).IncrementVersion(Self).Seen(Self);
        Joined = true;
    }

    public void Crash()
    {
        Alive = false;
        Crashed = true;
        ShutdownReason = "crashed";
    }

    public void Leave()
    {
        if (!Alive || !Joined || Latest.TryGetMember(Self) is not { } me || !MemberStatusTransitions.IsAllowed(me.Status, MemberStatus.Leaving)
            || me.Status == MemberStatus.Leaving) return;
        Update(Latest.Update(me.Copy(MemberStatus.Leaving)));
    }

    private void Shutdown(string reason)
    {
        if (!Alive) return;
        // Tell everyone what we know first (best effort), so the others learn the Down/Exiting.
        foreach (var m in Latest.Members)
            if (m.UniqueAddress != Self) _sim.Send(this, m.UniqueAddress, new GossipMessage(Self, Latest));
        Alive = false;
        ShutdownReason = reason;
    }

    /// <summary>A local change: new version, only self has seen it.</summary>
    private void Update(Gossip changed)
    {
        Latest = changed.IncrementVersion(Self).OnlySeen(Self);
        AfterChange();
    }

    private void AfterChange()
    {
        foreach (var t in Latest.Tombstones.Keys) EverRemoved.Add(t);
        if (!Joined) return;
        var me = Latest.TryGetMember(Self);
        if (me is null) Shutdown("removed");
        else if (me.Status == MemberStatus.Down) Shutdown("downed");
        else if (me.Status == MemberStatus.Exiting) Shutdown("exited");
    }

    // ---- messages ----

    public void Receive(SimMessage message)
    {
        if (!Alive) return;
        switch (message)
        {
            case GossipMessage g: OnGossip(g.From, g.Gossip); break;
            case JoinMessage j: OnJoin(j.From, j.Roles); break;
            case HeartbeatMessage h:
                _sim.Send(this, h.From, new HeartbeatResponse(Self));
                if (Latest.IsTombstoned(h.From)) _sim.Send(this, h.From, new GossipMessage(Self, Latest)); // "you are quarantined"
                break;
            case HeartbeatResponse r:
                if (_receivers.Contains(r.From)) _fd.Heartbeat(r.From, Now);
                break;
        }
    }

    private void OnJoin(UniqueAddress from, IReadOnlyList<string> roles)
    {
        if (!Joined || Latest.IsTombstoned(from)) return;
        if (!Latest.HasMember(from)) Update(Latest.Update(Member.Create(from, roles)));
        if (Alive) _sim.Send(this, from, new GossipMessage(Self, Latest)); // welcome
    }

    private void OnGossip(UniqueAddress from, Gossip remote)
    {
        if (remote.IsTombstoned(Self))
        {
            if (Joined) Shutdown("removed");
            return;
        }
        if (Joined && Latest.IsTombstoned(from))
        {
            _sim.Send(this, from, new GossipMessage(Self, Latest)); // "you are quarantined"
            return;
        }
        if (!remote.HasMember(Self)) return;
        if (!Joined)
        {
            Latest = remote.Seen(Self);
            Joined = true;
            AfterChange();
            return;
        }
        if (!Latest.HasMember(from)) return; // unknown sender
        var local = Latest;
        Gossip winner = remote.Compare(local) switch
        {
            VectorClock.Ordering.Same => local.MergeSeen(remote),
            VectorClock.Ordering.Before => local,
            VectorClock.Ordering.After when local.Tombstones.Keys.All(remote.IsTombstoned) => remote,
            _ => Gossip.Merge(local, remote),
        };
        Latest = winner.Seen(Self);
        AfterChange();
    }

    // ---- timers ----

    public void OnJoinTick(SimNode? seed)
    {
        if (!Alive || Joined || seed is null) return;
        _sim.Send(this, seed.Self, new JoinMessage(Self, []));
    }

    public void OnGossipTick(Random rnd)
    {
        if (!Alive || !Joined) return;
        if (State.PreferredGossipTarget(rnd, _settings.GossipDifferentViewProbability) is { } target)
            _sim.Send(this, target, new GossipMessage(Self, Latest));
    }

    public void OnHeartbeatTick()
    {
        if (!Alive || !Joined) return;
        var ring = State.HeartbeatRing(_settings.MonitoredByNrOfMembers);
        var next = ring.MyReceivers.ToHashSet();
        foreach (var old in _receivers)
            if (!next.Contains(old)) _fd.Remove(old);
        foreach (var n in next)
            if (!_receivers.Contains(n)) _fd.Heartbeat(n, Now); // start monitoring (expected-response-after, simplified)
        _receivers = next;
        foreach (var n in _receivers) _sim.Send(this, n, new HeartbeatMessage(Self));
    }

    public void OnReaperTick()
    {
        if (!Alive || !Joined) return;
        var r = Latest.Overview.Reachability;
        var before = r;
        foreach (var m in Latest.Members)
        {
            if (m.UniqueAddress == Self) continue;
            var available = _fd.IsAvailable(m.UniqueAddress, Now);
            var status = r.Status(Self, m.UniqueAddress);
            if (!available && status == Reachability.ReachabilityStatus.Reachable) r = r.Unreachable(Self, m.UniqueAddress);
            else if (available && status == Reachability.ReachabilityStatus.Unreachable) r = r.Reachable(Self, m.UniqueAddress);
        }
        if (!ReferenceEquals(r, before)) Update(Latest.WithReachability(r));
    }

    public void OnLeaderTick()
    {
        if (!Alive || !Joined) return;
        var view = ClusterView.FromGossip(Latest, Self);
        _tracker.Update(view, Now);
        var state = State;
        if (!state.IsLeader(Self))
        {
            _noConvergenceSinceMs = null;
            return;
        }
        if (state.Convergence())
        {
            _noConvergenceSinceMs = null;
            var after = LeaderActions.Perform(state, _settings.LeaderSettings, Now, out var changes);
            if (changes.Count > 0)
            {
                Latest = after;
                _sim.Log(this, "leader: " + string.Join(", ", changes.Select(c => $"{c.Before.UniqueAddress.Uid % 1000} {c.From}->{c.To}")));
                AfterChange();
            }
        }
        else
        {
            _noConvergenceSinceMs ??= Now;
            var after = LeaderActions.PerformWeaklyUp(state, _settings.LeaderSettings, Now, _noConvergenceSinceMs.Value, out var changes);
            if (changes.Count > 0)
            {
                Latest = after;
                AfterChange();
            }
        }
        if (!Alive || _strategy is null) return;
        view = ClusterView.FromGossip(Latest, Self);
        if (!view.NeedsDecision) return;
        Decision? decision = _tracker.ShouldDownAll(Now) ? Decision.DownAll : _tracker.IsStable(Now) ? _strategy.Decide(view) : null;
        if (decision is not { } d) return;
        var toDown = _strategy.NodesToDown(view, d);
        _sim.RecordDecision(this, d, toDown, view);
        _tracker.Reset(Now);
        if (toDown.Count == 0) return;
        var g = Latest;
        foreach (var n in toDown) g = g.Update(g.GetMember(n).Copy(MemberStatus.Down));
        Update(g);
    }
}
