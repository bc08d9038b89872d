using System.Text;
using KvActors.Actor;
using KvActors.Cluster.SplitBrain;
using KvActors.Remote;

namespace KvActors.Cluster.Tests.Simulation;

/// <summary>
/// A seeded discrete-event simulation of a 3-7 node cluster on a virtual clock: random message
/// delays, drops, duplicates, partitions, crashes and graceful leaves. Every delivered event is a
/// step; invariants are checked after each one. Throws <see cref="SimulationFailure"/> with the
/// seed and a trace tail when one breaks.
/// </summary>
internal sealed class ClusterSimulation
{
    private readonly PriorityQueue<Action, (long Time, long Seq)> _events = new();
    private readonly Random _rnd;
    private readonly Dictionary<UniqueAddress, SimNode> _byUid = new();
    private readonly Queue<string> _trace = new();
    private long _seq;
    private int[] _side;
    private double _dropRate = 0.03, _dupRate = 0.02;

    public ClusterSimulation(int seed)
    {
        Seed = seed;
        _rnd = new Random(seed);
        var n = _rnd.Next(3, 8);
        Strategy = (seed % 4) switch { 0 => "static-quorum", 1 => "keep-oldest", _ => "keep-majority" };
        var monitoredBy = new[] { 2, 3, 9 }[_rnd.Next(3)];
        Settings = ClusterSettings.Default with
        {
            MonitoredByNrOfMembers = monitoredBy,
            AllowWeaklyUpMembers = null,
            SplitBrainResolver = ClusterSettings.Default.SplitBrainResolver with
            {
                ActiveStrategy = Strategy,
                StaticQuorumSize = n / 2 + 1,
                KeepOldestDownIfAlone = _rnd.Next(2) == 0,
            },
        };
        for (var i = 0; i < n; i++)
        {
            var ua = new UniqueAddress(Address.Tcp("kv", "127.0.0.1", 2551 + _rnd.Next(0, 50) * 10 + i), _rnd.NextInt64(1, long.MaxValue));
            var node = new SimNode(this, i, ua, Settings);
            Nodes.Add(node);
            _byUid[ua] = node;
        }
        _side = new int[n];
    }

    public int Seed { get; }
    public string Strategy { get; }
    public ClusterSettings Settings { get; }
    public List<SimNode> Nodes { get; } = [];
    public long NowMs { get; private set; }
    public long Steps { get; private set; }
    public List<string> Decisions { get; } = [];
    /// <summary>For each crash: virtual ms until every live node had removed the victim (null if not before the end).</summary>
    public List<long> CrashToRemovedMs { get; } = [];
    private readonly List<(SimNode Victim, long At)> _pendingCrashes = [];

    // ---- network ----

    public void Send(SimNode from, UniqueAddress to, SimMessage message)
    {
        if (!_byUid.TryGetValue(to, out var target)) return;
        if (_side[from.Index] != _side[target.Index]) return; // partitioned
        if (_rnd.NextDouble() < _dropRate) return;
        var copies = _rnd.NextDouble() < _dupRate ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            var delay = _rnd.NextDouble() < 0.05 ? _rnd.Next(20, 300) : _rnd.Next(1, 20);
            Schedule(delay, () => target.Receive(message));
        }
    }

    private void Schedule(long delayMs, Action action) => _events.Enqueue(action, (NowMs + delayMs, _seq++));

    private void Every(SimNode node, TimeSpan interval, Action<SimNode> tick)
    {
        var ms = (long)interval.TotalMilliseconds;
        void Fire()
        {
            if (!node.Alive) return;
            tick(node);
            Schedule(ms + _rnd.Next(0, (int)Math.Max(1, ms / 10)), Fire); // a little timer jitter
        }
        Schedule(_rnd.Next(1, (int)ms), Fire);
    }

    public void Log(SimNode node, string text)
    {
        _trace.Enqueue($"t={NowMs} n{node.Index}: {text}");
        while (_trace.Count > 60) _trace.Dequeue();
    }

    public void RecordDecision(SimNode node, Decision decision, IReadOnlySet<UniqueAddress> toDown, ClusterView view)
    {
        var text = $"t={NowMs} n{node.Index} {decision} downs [{string.Join(",", toDown.Select(u => "n" + _byUid[u].Index))}] " +
                   $"(reachable [{string.Join(",", view.ReachableMembers.Select(m => "n" + _byUid[m.UniqueAddress].Index))}], unreachable [{string.Join(",", view.UnreachableMembers.Select(m => "n" + _byUid[m.UniqueAddress].Index))}])";
        Decisions.Add(text);
        Log(node, text);
    }

    // ---- running ----

    public void Run()
    {
        // Start: node 0 forms the cluster, the others join it a little later, retrying.
        Nodes[0].FormCluster();
        foreach (var node in Nodes)
        {
            Every(node, Settings.GossipInterval, n => n.OnGossipTick(_rnd));
            Every(node, Settings.HeartbeatInterval, n => n.OnHeartbeatTick());
            Every(node, Settings.UnreachableNodesReaperInterval, n => n.OnReaperTick());
            Every(node, Settings.LeaderActionsInterval, n => n.OnLeaderTick());
            if (node.Index > 0)
                Every(node, TimeSpan.FromSeconds(1), n => n.OnJoinTick(Nodes.FirstOrDefault(s => s.Alive && s.Joined && s.Latest.TryGetMember(s.Self)?.Status == MemberStatus.Up)));
        }

        Phase("forming", 30_000, AllAliveConverged);

        var episodes = _rnd.Next(3, 7);
        for (var e = 0; e < episodes; e++)
        {
            var alive = Nodes.Where(n => n.Alive).ToList();
            if (alive.Count < 2) break;
            var kind = _rnd.Next(5);
            switch (kind)
            {
                case 0 or 1: // partition into two sides for a while
                {
                    var sideA = alive.Where(_ => _rnd.Next(2) == 0).Select(n => n.Index).ToHashSet();
                    if (sideA.Count == 0 || sideA.Count == alive.Count) sideA = [alive[0].Index];
                    for (var i = 0; i < _side.Length; i++) _side[i] = sideA.Contains(i) ? 1 : 0;
                    var duration = _rnd.Next(300, 9000);
                    Log(Nodes[0], $"PARTITION [{string.Join(",", sideA.Select(i => "n" + i))}] for {duration}ms");
                    RunChecked(NowMs + duration);
                    Array.Clear(_side);
                    Log(Nodes[0], "HEAL");
                    break;
                }
                case 2: // SIGKILL one node
                {
                    var victim = alive[_rnd.Next(alive.Count)];
                    Log(victim, "CRASH");
                    victim.Crash();
                    _pendingCrashes.Add((victim, NowMs));
                    break;
                }
                case 3: // graceful leave
                {
                    var leaver = alive[_rnd.Next(alive.Count)];
                    Log(leaver, "LEAVE");
                    leaver.Leave();
                    break;
                }
                default: // lossy network for a while
                {
                    _dropRate = 0.3;
                    RunChecked(NowMs + _rnd.Next(500, 3000));
                    _dropRate = 0.03;
                    break;
                }
            }
            RunChecked(NowMs + _rnd.Next(2000, 8000));
        }

        // Heal everything; the survivors must converge on one membership of exactly themselves.
        Array.Clear(_side);
        _dropRate = 0.03;
        Phase("healing", 40_000, AllAliveConverged);
    }

    private void Phase(string name, long budgetMs, Func<bool> done)
    {
        var deadline = NowMs + budgetMs;
        RunChecked(deadline, done);
        if (!done()) Fail($"{name}: the live nodes did not converge within {budgetMs} ms.\n{Describe()}");
    }

    private void RunChecked(long untilMs, Func<bool>? stop = null)
    {
        while (_events.TryPeek(out var action, out var at) && at.Time <= untilMs)
        {
            _events.Dequeue();
            NowMs = at.Time;
            action();
            Steps++;
            CheckInvariants();
            if (_pendingCrashes.Count > 0) TrackCrashes();
            if (stop is not null && stop()) return;
        }
        NowMs = Math.Max(NowMs, untilMs);
    }

    // ---- invariants ----

    private void CheckInvariants()
    {
        foreach (var n in Nodes)
        {
            if (!n.Joined) continue;
            foreach (var removed in n.EverRemoved)
            {
                if (!n.Latest.IsTombstoned(removed))
                    Fail($"n{n.Index} lost the tombstone of {removed}.");
                if (n.Latest.HasMember(removed))
                    Fail($"n{n.Index} has removed uid {removed} back as a member: {n.Latest.GetMember(removed)}.");
            }
        }
        // Split brain: two live nodes that each removed the other are two surviving clusters.
        var alive = Nodes.Where(n => n.Alive && n.Joined).ToList();
        foreach (var a in alive)
        foreach (var b in alive)
            if (a.Index < b.Index && a.Latest.IsTombstoned(b.Self) && b.Latest.IsTombstoned(a.Self))
                Fail($"split brain: n{a.Index} and n{b.Index} are both running and each removed the other.");
    }

    private void TrackCrashes()
    {
        for (var i = _pendingCrashes.Count - 1; i >= 0; i--)
        {
            var (victim, at) = _pendingCrashes[i];
            var alive = Nodes.Where(n => n.Alive && n.Joined).ToList();
            if (alive.Count > 0 && alive.All(n => n.Latest.IsTombstoned(victim.Self)))
            {
                CrashToRemovedMs.Add(NowMs - at);
                _pendingCrashes.RemoveAt(i);
            }
            else if (alive.Count == 0) _pendingCrashes.RemoveAt(i);
        }
    }

    private bool AllAliveConverged()
    {
        var alive = Nodes.Where(n => n.Alive).ToList();
        if (alive.Count == 0) return true;
        if (alive.Any(n => !n.Joined)) return false;
        var uids = alive.Select(n => n.Self).ToHashSet();
        var first = alive[0].Latest;
        foreach (var n in alive)
        {
            var g = n.Latest;
            if (g.Members.Count != uids.Count || g.Members.Any(m => !uids.Contains(m.UniqueAddress) || m.Status != MemberStatus.Up)) return false;
            if (!g.Members.SequenceEqual(first.Members)) return false;
            if (!g.Overview.Reachability.IsAllReachable) return false;
            if (!n.State.Convergence()) return false;
        }
        return true;
    }

    private string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"seed {Seed}, {Nodes.Count} nodes, strategy {Strategy}, monitored-by {Settings.MonitoredByNrOfMembers}, t={NowMs} ms, {Steps} steps");
        foreach (var n in Nodes)
            sb.AppendLine($"  n{n.Index} {(n.Alive ? "alive" : n.ShutdownReason)} uid {n.Self.Uid % 1000}: {string.Join(", ", n.Latest.Members.Select(m => $"n{_byUid[m.UniqueAddress].Index}:{m.Status}"))}; unreachable [{string.Join(",", n.Latest.Overview.Reachability.AllUnreachableOrTerminated.Select(u => "n" + _byUid[u].Index))}]; seen [{string.Join(",", n.Latest.Overview.Seen.Select(u => "n" + _byUid[u].Index))}]");
        sb.AppendLine("decisions:");
        foreach (var d in Decisions) sb.AppendLine("  " + d);
        sb.AppendLine("trace tail:");
        foreach (var t in _trace) sb.AppendLine("  " + t);
        return sb.ToString();
    }

    private void Fail(string message) =>
        throw new SimulationFailure($"Simulation seed {Seed} failed (replay: KVACTORS_SIM_SEED={Seed}): {message}\n{(message.Contains("seed ") ? "" : Describe())}");
}

internal sealed class SimulationFailure(string message) : Exception(message);
