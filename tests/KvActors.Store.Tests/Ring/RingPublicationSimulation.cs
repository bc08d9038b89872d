using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Tests.Replication.Simulation;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

/// <summary>
/// A seeded simulation of the ring's two-phase publication: five nodes, each with a keeper (<see cref="RingAcceptor"/>
/// and the ring it applied, both kept on its "disk" across crashes, as RingKeeper keeps its files), and RingManagers
/// (<see cref="RingManagerCore"/> + <see cref="RingPublisher"/>, as the RingManager actor runs them) that start, stop
/// and overlap as the singleton and its deputies do. Messages are delayed, lost and duplicated; nodes crash and restart;
/// now and then every node is killed at once (a full cluster restart).
/// <para>Checked after every event: no two different rings are applied, or chosen, at one epoch; no manager proposes,
/// under a higher ballot, another ring at the epoch of a ring chosen under a lower one (Paxos' P2c). At the end the
/// faults stop: one manager must then get one ring applied on every node, at an epoch above every one applied before.</para>
/// <para>With <c>membershipChanges</c> off the members stay the same five: a crashed node is unreachable until it is
/// back. With it on, a crashed node is downed and removed as Akka's keep-majority resolver does, a live one now and then
/// too (the minority side of a split, quarantined), and a node back rejoins as a new incarnation; a cluster that lost
/// every member is started again whole, with no fault until it has chosen a new ring. Counting quorums over the Up
/// members alone, 9 seeds of 3,000 then lost a chosen ring: one stored by a majority of few members (after removals) was
/// missed by a later manager that heard from a majority of more members (after rejoins). Quorums over the rings' own
/// nodes (<see cref="RingQuorum"/>) are what stop that.</para>
/// </summary>
internal sealed partial class RingPublicationSimulation
{
    private const int NodeCount = 5;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Republish = TimeSpan.FromMilliseconds(500);
    private static readonly RingManagerCore.Options Options =
        new(Partitions: 16, ReplicationFactor: 3, MinMembers: 3, FailoverAfter: TimeSpan.FromSeconds(1), LastRingTimeout: TimeSpan.FromSeconds(2));

    private readonly Random _random;
    private readonly EventQueue _queue = new();
    private readonly Node[] _nodes;
    private readonly List<Manager> _managers = [];
    private readonly HashSet<NodeId> _up = [];
    private readonly Dictionary<long, RingState> _applied = [];
    private readonly Dictionary<long, (RingState Ring, RingBallot Ballot)> _chosen = [];
    private readonly Dictionary<long, List<(RingState Ring, RingBallot Ballot)>> _proposed = [];
    private bool _faults = true;
    private bool _restartPending;
    // After a whole restart, the highest epoch chosen before it: no fault until a ring above it is chosen (see the class comment).
    private long? _restartedBelow;
    private int _nextManagerId;

    private readonly List<string>? _trace;

    /// <summary>The events of a traced run (see the constructor), one per line.</summary>
    public string Trace => _trace is null ? "" : string.Join(Environment.NewLine, _trace);

    private void Log(string line) => _trace?.Add($"{_queue.Now,6} {line}");

    public int Chosen => _chosen.Count;
    public int ManagersStarted => _nextManagerId;
    public int FullRestarts { get; private set; }
    public int Supersessions { get; private set; }

    private readonly bool _membershipChanges;

    public RingPublicationSimulation(int seed, bool membershipChanges = false, bool tracing = false)
    {
        _membershipChanges = membershipChanges;
        _random = new Random(seed);
        _trace = tracing ? [] : null;
        _nodes = Enumerable.Range(1, NodeCount).Select(i => new Node(Member(i))).ToArray();
    }

    private TimeSpan Now => TimeSpan.FromMilliseconds(_queue.Now);

    /// <summary>Runs <paramref name="faultyMs"/> of virtual time with faults, then heals and checks the cluster settles.</summary>
    public void Run(long faultyMs)
    {
        foreach (var node in _nodes) Start(node);
        for (var t = 0L; t < faultyMs; t += 200) _queue.At(t, Fault);
        KeepASingleton();
        while (_queue.Now < faultyMs && _queue.Step()) { }

        _faults = false;
        foreach (var manager in _managers.ToList()) StopManager(manager);
        // Every node back: the dead ones, and the ones removed but not shut down yet (their shutdown is then moot).
        foreach (var node in _nodes.Where(n => !n.Alive || n.Quarantined == n.Incarnation)) Start(node);
        var deadline = _queue.Now + 30_000;
        while (_queue.Now < deadline && _queue.Step()) { }

        var highest = _applied.Keys.DefaultIfEmpty(-1).Max();
        var rings = _nodes.Select(n => n.Applied).ToList();
        if (rings.Any(r => r is null || r.Epoch != highest || !r.Equals(rings[0])))
            throw new InvariantViolation($"after the faults stopped, the nodes did not settle on the highest ring (epoch {highest}): " +
                                         string.Join(", ", _nodes.Select(n => $"{n.Id} at {n.Applied?.Epoch}")));
    }

    private void Fault()
    {
        if (!_faults || _restartedBelow is not null) return;
        var roll = _random.Next(100);
        var node = _nodes[_random.Next(NodeCount)];
        if (roll < 6 && node.Alive)
        {
            Crash(node);
            // Akka downs and removes a crashed member after a while (the failure detector, then the split-brain resolver).
            var incarnation = node.Incarnation;
            if (_membershipChanges)
                _queue.After(_random.Next(500, 3000), () => { if (node.Incarnation == incarnation && !node.Alive) Down(node); });
        }
        else if (roll < 12 && !node.Alive && (!_membershipChanges || ClusterAlive)) Start(node);
        else if (roll < 14 && _membershipChanges && node.Alive && _up.Contains(node.Id) && MajorityWithout(node))
        {
            // Downed while alive (the minority side of a split): removed and quarantined at once, shut down a little later.
            Remove(node);
            var incarnation = node.Incarnation;
            _queue.After(_random.Next(50, 1000), () => { if (node.Incarnation == incarnation && node.Alive) Crash(node); });
        }
        else if (roll < 18 && _managers.Count < 3 && node.Alive && _up.Contains(node.Id)) StartManager(node); // a deputy, or the singleton moved
        else if (roll < 21 && _managers.Count > 0) StopManager(_managers[_random.Next(_managers.Count)]);
        else if (roll < 22)
        {
            // A full cluster restart: every node killed, back after a while, and a new singleton.
            foreach (var n in _nodes.Where(n => n.Alive)) Crash(n);
            RestartWhole();
        }
        else if (roll < 24) foreach (var m in _managers.Where(m => m.Host.Alive)) Reported(m, node.Id); // a primary's report
    }

    /// <summary>Whether some member is alive (and not quarantined): a node that starts joins it.</summary>
    private bool ClusterAlive => _nodes.Any(n => n.Alive && _up.Contains(n.Id) && n.Quarantined != n.Incarnation);

    /// <summary>
    /// Whether the members other than <paramref name="node"/> that are alive are the side keep-majority keeps: more than
    /// half of the members, or half with the lowest address among them.
    /// </summary>
    private bool MajorityWithout(Node node)
    {
        var live = _nodes.Where(n => n != node && n.Alive && _up.Contains(n.Id) && n.Quarantined != n.Incarnation).Select(n => n.Id).ToList();
        return live.Count * 2 > _up.Count || (live.Count > 0 && live.Count * 2 == _up.Count && live.Contains(_up.Min()));
    }

    /// <summary>
    /// The split-brain resolver (keep-majority) on a crashed member: the side it keeps (<see cref="MajorityWithout"/>)
    /// downs it; when the live members are not that side, they down themselves and the cluster is gone.
    /// </summary>
    private void Down(Node node)
    {
        if (MajorityWithout(node))
        {
            Remove(node);
            return;
        }
        foreach (var n in _nodes.Where(n => n.Alive)) Crash(n);
        RestartWhole();
    }

    /// <summary>
    /// A cluster that lost every member is started again whole: every node at once, as an operator restarts it. Here a
    /// cluster is never re-formed from some of its nodes only: see the class comment for why.
    /// </summary>
    private void RestartWhole()
    {
        if (_restartPending) return;
        _restartPending = true;
        if (_membershipChanges) _restartedBelow = _chosen.Keys.DefaultIfEmpty(-1).Max();
        FullRestarts++;
        if (_membershipChanges)
            foreach (var n in _nodes) Remove(n);
        _queue.After(_random.Next(100, 2000), () =>
        {
            _restartPending = false;
            foreach (var n in _nodes.Where(n => !n.Alive)) Start(n);
        });
    }

    /// <summary>The singleton: whenever no manager runs, one starts on the oldest member (here: the first node that is Up).</summary>
    private void KeepASingleton() => _queue.After(200, () =>
    {
        if (_managers.Count == 0 && _nodes.FirstOrDefault(n => n.Alive && _up.Contains(n.Id) && n.Quarantined != n.Incarnation) is { } host)
            StartManager(host);
        KeepASingleton();
    });

    private void Start(Node node)
    {
        // A node back on the same address is a new incarnation: Akka removes the old one as it joins.
        if (_membershipChanges) Remove(node);
        node.Alive = true;
        node.Incarnation++;
        node.Keeper = node.Disk.Load();
        // It joins: Up once the cluster has seen it.
        var incarnation = node.Incarnation;
        _queue.After(_random.Next(10, 300), () =>
        {
            if (node.Incarnation != incarnation || !node.Alive) return;
            if (!_up.Add(node.Id))
            {
                Log($"{node.Id} reachable");
                foreach (var m in Current()) m.Handle(m.Core.Reachable(node.Id, Now));
                return;
            }
            Log($"{node.Id} Up");
            foreach (var m in Current())
            {
                m.Send(m.Publisher.MemberUp(node.Id, m.Core.IsFormed, Now));
                m.Handle(m.Core.MemberUp(node.Id, Now));
            }
        });
    }

    private void Crash(Node node)
    {
        Log($"{node.Id} crashes");
        node.Alive = false;
        node.Incarnation++;
        foreach (var m in _managers.Where(m => m.Host == node).ToList()) StopManager(m);
        foreach (var m in Current()) m.Handle(m.Core.Unreachable(node.Id, Now));
    }

    private void Remove(Node node)
    {
        if (!_up.Remove(node.Id)) return;
        Log($"{node.Id} removed");
        node.Quarantined = node.Incarnation;
        foreach (var m in Current()) m.Handle(m.Core.MemberRemoved(node.Id, Now));
    }

    /// <summary>Managers whose node is still a member: the ones that hear of membership changes.</summary>
    private IEnumerable<Manager> Current() => _managers.Where(m => _up.Contains(m.Host.Id) && m.Host.Quarantined != m.Host.Incarnation).ToList();

    private void Reported(Manager manager, NodeId node)
    {
        if (manager.Core.Ring is not { } ring) return;
        var partition = _random.Next(ring.PartitionCount);
        manager.Handle(_random.Next(2) == 0
            ? manager.Core.ReplicaSilent(partition, node, ring.Epoch, Now)
            : manager.Core.LearnerCaughtUp(partition, node, ring.Epoch, Now));
    }

    private void StartManager(Node host)
    {
        var manager = new Manager(this, ++_nextManagerId, host);
        Log($"manager {manager.Id} starts on {host.Id}, members {string.Join(" ", _up)}");
        _managers.Add(manager);
        foreach (var id in _up.OrderBy(n => n.Value, StringComparer.Ordinal))
        {
            manager.Send(manager.Publisher.MemberUp(id, manager.Core.IsFormed, Now));
            manager.Handle(manager.Core.MemberUp(id, Now));
        }
        foreach (var n in _nodes.Where(n => !n.Alive && _up.Contains(n.Id))) manager.Handle(manager.Core.Unreachable(n.Id, Now));
        ScheduleTick(manager);
    }

    private void StopManager(Manager manager)
    {
        Log($"manager {manager.Id} stops");
        manager.Stopped = _managers.Remove(manager);
    }

    private void ScheduleTick(Manager manager) => _queue.After((long)Tick.TotalMilliseconds, () =>
    {
        if (manager.Stopped) return;
        manager.OnTick();
        ScheduleTick(manager);
    });

    /// <summary>Sends from <paramref name="from"/>: lost, late or twice while faults last; never from a quarantined or dead node.</summary>
    private void Send(Node from, Action deliver)
    {
        if (!from.Alive || from.Quarantined == from.Incarnation) return;
        var copies = !_faults ? 1 : _random.Next(100) switch { < 5 => 0, < 8 => 2, _ => 1 };
        for (var i = 0; i < copies; i++) _queue.After(_random.Next(1, _faults ? 80 : 10), deliver);
    }

    // ---- the keeper's side, as RingKeeper handles its three messages ----

    private void ToKeeper(Manager from, RingCommand command)
    {
        var target = _nodes.First(n => n.Id == command.To);
        Send(from.Host, () =>
        {
            if (!target.Alive || target.Quarantined == target.Incarnation) return;
            var keeper = target.Keeper;
            switch (command.Kind)
            {
                case RingCommandKind.AskLastRing:
                    var promised = keeper.Acceptor.Prepare(command.Ballot);
                    Log($"{target.Id} asked by {from.Id} under {command.Ballot}: {(promised ? "promised" : "refused")}; holds {keeper.Report(null, false)}");
                    target.Disk.Save(keeper);
                    Reply(target, from, keeper.Report(command.Ballot, refused: !promised));
                    break;
                case RingCommandKind.Propose:
                    var accepted = keeper.Acceptor.Accept(command.Ballot, command.Ring!, command.Replaces);
                    Log($"{target.Id} {(accepted ? "accepts" : "refuses")} epoch {command.Ring!.Epoch} from {from.Id} under {command.Ballot}");
                    if (!accepted)
                    {
                        Reply(target, from, keeper.Report(command.Ballot, refused: command.Ballot < keeper.Acceptor.Promised));
                        break;
                    }
                    target.Disk.Save(keeper);
                    var epoch = command.Ring!.Epoch;
                    Send(target, () => { if (!from.Stopped) from.OnAccepted(target.Id, epoch); });
                    break;
                default:
                    var ring = command.Ring!;
                    if (keeper.Applied is { } current && ring.Epoch <= current.Epoch)
                    {
                        if (ring.Epoch < current.Epoch) Reply(target, from, keeper.Report(null, refused: false));
                        break;
                    }
                    Log($"{target.Id} applies epoch {ring.Epoch} from {from.Id}");
                    Applied(target, ring);
                    keeper.Applied = ring;
                    keeper.Acceptor.Applied(ring.Epoch, command.Ballot);
                    target.Disk.Save(keeper);
                    break;
            }
        });
    }

    private void Reply(Node from, Manager to, KeeperReport report) =>
        Send(from, () => { if (!to.Stopped) to.OnLastRing(from.Id, report); });

    // ---- the invariants ----

    private void Applied(Node node, RingState ring)
    {
        if (_applied.TryGetValue(ring.Epoch, out var first) && !first.Equals(ring))
            throw new InvariantViolation($"two different rings applied at epoch {ring.Epoch} (the second on {node.Id}) at {_queue.Now} ms");
        _applied[ring.Epoch] = ring;
    }

    private void OnChosen(Manager manager, RingState ring, RingBallot ballot)
    {
        if (_chosen.TryGetValue(ring.Epoch, out var first) && !first.Ring.Equals(ring))
            throw new InvariantViolation($"two different rings chosen at epoch {ring.Epoch} (ballots {first.Ballot} and {ballot}, manager {manager.Id}) at {_queue.Now} ms");
        _chosen[ring.Epoch] = (ring, ballot);
        if (ring.Epoch > _restartedBelow) _restartedBelow = null;
        foreach (var (proposed, higher) in _proposed.GetValueOrDefault(ring.Epoch) ?? [])
            if (higher > ballot && !proposed.Equals(ring))
                throw new InvariantViolation($"epoch {ring.Epoch} was chosen under ballot {ballot}, but another ring was proposed at it under the higher {higher} at {_queue.Now} ms");
    }

    private void OnProposed(Manager manager, RingState ring, RingBallot ballot)
    {
        if (!_proposed.TryGetValue(ring.Epoch, out var list)) _proposed[ring.Epoch] = list = [];
        list.Add((ring, ballot));
        if (_chosen.TryGetValue(ring.Epoch, out var chosen) && chosen.Ballot < ballot && !chosen.Ring.Equals(ring))
            throw new InvariantViolation($"manager {manager.Id} (ballot {ballot}) proposed another ring at epoch {ring.Epoch}, chosen under ballot {chosen.Ballot}, at {_queue.Now} ms");
    }
}
