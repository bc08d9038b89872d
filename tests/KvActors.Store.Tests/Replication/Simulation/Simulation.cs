using System.Text;
using KvActors.Store.Partitioning;
using KvActors.Store.Replication;
using KvActors.Store.Shards;

namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>
/// One seeded, deterministic run: replicas (pure <see cref="PartitionReplica"/>s with a <see cref="SimDisk"/> each), the
/// configuration manager (the <see cref="ConfigurationManager"/>, or the production RingManager's core with
/// <see cref="SimulationOptions.RingManager"/>), clients, a virtual clock and a faulty network. For <see cref="SimulationOptions.Steps"/>
/// events it injects crashes and restarts, node isolation, one-way and two-way link cuts (all heal), while the network
/// drops, duplicates, delays and reorders. Then it heals everything, restarts crashed nodes, lets clients finish and
/// checks that the system converged with every acknowledged write in place. The <see cref="HistoryChecker"/> checks
/// safety after every event.
/// </summary>
public sealed class Simulation
{
    public const string ManagerName = "manager";

    private readonly int seed;
    private readonly SimulationOptions options;
    private readonly Random random;
    private readonly EventQueue queue = new();
    private readonly SimNetwork network;
    private readonly HistoryChecker checker = new();
    private readonly Dictionary<string, SimNode> nodes = new(StringComparer.Ordinal);
    private readonly string[] nodeNames;
    private readonly Dictionary<string, SimClient> clients = new(StringComparer.Ordinal);
    private readonly ConfigurationManager? manager;
    private readonly SimRingManager? ringManager;
    private readonly SimClock managerClock;
    private readonly Dictionary<string, long> lastAlive = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> aliveIncarnation = new(StringComparer.Ordinal);
    private long lastRingPublishAt;
    private readonly Queue<string>? trace;
    private bool faulty = true;
    private bool settled;
    private long managerEpoch;
    private string lastPrimary = "n1";
    private int crashes, isolations, linkCuts, promotions;
    private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);

    public Simulation(int seed, SimulationOptions options, bool tracing = false)
    {
        this.seed = seed;
        this.options = options;
        random = new Random(seed);
        trace = tracing ? new Queue<string>() : null;
        network = new SimNetwork(queue, random, options, Deliver);
        nodeNames = Enumerable.Range(1, options.Replicas).Select(i => $"n{i}").ToArray();
        managerClock = NewClock();
        PartitionConfig initial;
        if (options.RingManager)
        {
            ringManager = new SimRingManager(nodeNames, options.Settings, managerClock.Read(0));
            initial = ringManager.Config!;
        }
        else
        {
            initial = new PartitionConfig(1, nodeNames[0], nodeNames[1..], Array.Empty<string>());
            manager = new ConfigurationManager(initial, options.Settings);
        }
        managerEpoch = initial.Epoch;
        lastPrimary = initial.Primary;
        foreach (var name in nodeNames)
        {
            var node = new SimNode(name) { Replica = PartitionReplica.CreateNew(name, options.Settings), Clock = NewClock(), RingEpoch = initial.Epoch };
            nodes[name] = node;
            Execute(node, node.Replica.OnConfig(initial, node.Clock.Read(0)));
            node.TickPhase = random.NextInt64(options.TickMs);
            StartTicking(node, node.TickPhase);
        }
        for (var i = 1; i <= options.Clients; i++)
        {
            var client = new SimClient($"c{i}", queue, network, random, checker, options, nodeNames);
            clients[client.Name] = client;
            client.Start();
        }
        queue.After(options.TickMs, ManagerTick);
        queue.After(options.FaultIntervalMs, FaultLoop);
    }

    /// <summary>The last events before a failure (tracing runs only).</summary>
    public string TraceTail => trace is null ? "(run with tracing to see events)" : string.Join(Environment.NewLine, trace);

    public SimulationReport Run()
    {
        try
        {
            var steps = 0;
            while (steps < options.Steps && queue.Step())
                steps++;
            var faultyMs = queue.Now;
            BeginSettling();
            var deadline = queue.Now + options.SettleMs;
            while (!settled && queue.Now < deadline && queue.Step())
                steps++;
            FinalCheck();
            return new SimulationReport(seed, steps, faultyMs, queue.Now, checker.AckedWriteCount, checker.LeasedReadCount,
                checker.StaleReadCount, ManagerEpoch, promotions, crashes, isolations, linkCuts, checker.HighestCommitted, counts);
        }
        catch (InvariantViolation e)
        {
            throw new InvariantViolation($"seed {seed}, at {queue.Now} ms: {e.Message}");
        }
    }

    /// <summary>The partition's configuration as the manager has it now; null while the ring names no primary.</summary>
    private PartitionConfig? Config => manager is not null ? manager.Config : ringManager!.Config;

    private long ManagerEpoch => manager?.Config.Epoch ?? ringManager!.Ring.Epoch;

    // ---------------------------------------------------------------- message passing

    private void Deliver(string from, string to, object message)
    {
        if (trace is not null)
            Trace($"{from} -> {to}: {Show(message)}");
        if (to == ManagerName)
            ManagerReceive(from, message);
        else if (nodes.TryGetValue(to, out var node))
        {
            if (message is RingPublished published)
            {
                if (node.Running)
                    ApplyRing(node, published.Ring);
            }
            else if (node.Replica is { } replica)
                NodeReceive(node, replica, message);
        }
        else
            clients[to].Receive(message);
    }

    /// <summary>
    /// A node's shard host applies a ring newer than the last it applied (kept on its disk across restarts): a ring that
    /// leaves the node out of the partition stops its replica (the storage stays); one that includes it again recreates
    /// the replica from that storage; the replica gets the partition's configuration.
    /// </summary>
    private void ApplyRing(SimNode node, RingState ring)
    {
        if (ring.Epoch <= node.RingEpoch)
            return;
        node.RingEpoch = ring.Epoch;
        if (!ring[0].Contains(new NodeId(node.Name)))
        {
            if (node.Replica is null)
                return;
            Trace($"{node.Name} stops its replica: ring {ring.Epoch} leaves it out");
            Count("replica stopped");
            node.Replica = null;
            node.TickAt = long.MaxValue;
            return;
        }
        if (node.Replica is null)
        {
            Trace($"{node.Name} recreates its replica from its disk for ring {ring.Epoch}");
            Count("replica recreated");
            node.Replica = PartitionReplica.Recover(node.Name, options.Settings, node.Disk.ToDurable(), node.Clock.Read(queue.Now));
            checker.ObserveEpoch(node.Name, node.Replica.Epoch);
        }
        if (RingConfig.Of(ring, 0) is { } config)
            Execute(node, node.Replica.OnConfig(config, node.Clock.Read(queue.Now)));
        ScheduleDeadlineTick(node);
    }

    private void NodeReceive(SimNode node, PartitionReplica replica, object message)
    {
        var now = node.Clock.Read(queue.Now);
        var effects = message switch
        {
            ReplicationMessage m => replica.OnMessage(m, now),
            ConfigUpdate u => replica.OnConfig(u.Config, now),
            RevokeLease r => replica.OnRevokeLease(r.Epoch, now),
            ClientRequestMessage { Command: { } command } c => replica.OnClientCommand(c.Id, command, now, 0, int.MaxValue, c.Resent),
            ClientRequestMessage { Write: { } write } c => replica.OnClientWrite(c.Id, write, now, resent: c.Resent),
            ClientRequestMessage c => replica.OnClientRead(c.Id, c.ReadKey!, c.Mode, now),
            _ => throw new InvalidOperationException($"unexpected message {message}"),
        };
        Execute(node, effects);
        ScheduleDeadlineTick(node);
    }

    private void Execute(SimNode node, IReadOnlyList<ReplicaEffect> effects)
    {
        var replica = node.Replica!;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case SendToReplica s:
                    if (s.Message is NeedsCatchUp or StaleEpoch || s.Message is CatchUpData { Snapshot: not null })
                        Count(s.Message is CatchUpData ? "snapshot sent" : s.Message.GetType().Name);
                    network.Send(node.Name, s.To, s.Message);
                    break;
                case ReportToManager r:
                    if (r.Report is not (ConfigRequest or JoinRequest))
                        Count(r.Report.GetType().Name);
                    network.Send(node.Name, ManagerName, r.Report);
                    break;
                case ReplyToClient r:
                    checker.OnReplySent(node.Name, replica.Epoch, r.Reply, queue.Now);
                    network.Send(node.Name, r.Reply.Request.ClientId, r.Reply);
                    break;
                case ApplyCommitted a:
                    checker.OnApplied(node.Name, a.Entry, a.Answer);
                    break;
                case InstallSnapshot:
                    Count("snapshot installed");
                    node.Disk.Apply(effect);
                    break;
                case ReadLog read:
                    ReadDisk(node, read);
                    break;
                case TruncateLogAfter:
                    Count("truncation");
                    node.Disk.Apply(effect);
                    break;
                default:
                    if (!node.Disk.Apply(effect))
                        throw new InvalidOperationException($"unknown effect {effect}");
                    break;
            }
        }
        checker.ObserveEpoch(node.Name, replica.Epoch);
    }

    /// <summary>A read of the node's log on disk for a returning replica: answered a little later, unless the node crashed meanwhile.</summary>
    private void ReadDisk(SimNode node, ReadLog read)
    {
        var answer = new LogRead(read.For, read.AfterSeq, node.Disk.ReadSince(read.AfterSeq, read.MaxEntries));
        Count(answer.Entries is null ? "log read compacted" : "log read");
        var asker = node.Replica!;
        queue.After(1 + random.NextInt64(5), () =>
        {
            // A replica stopped meanwhile (crash, or a ring that left it out) never gets the answer.
            if (node.Replica != asker)
                return;
            Execute(node, asker.OnLogRead(answer, node.Clock.Read(queue.Now)));
            ScheduleDeadlineTick(node);
        });
    }

    private void StartTicking(SimNode node, long delay)
    {
        var incarnation = node.Incarnation;
        node.TickAt = long.MaxValue;
        queue.After(delay, () => NodeTick(node, incarnation));
        ScheduleDeadlineTick(node);
    }

    /// <summary>
    /// Every <see cref="SimulationOptions.TickMs"/>: the node's liveness signal to the manager (Akka's failure detector,
    /// which runs whatever the partitions do) and, unless ticks follow the core's deadlines, a tick of the replica.
    /// </summary>
    private void NodeTick(SimNode node, int incarnation)
    {
        if (node.Incarnation != incarnation || !node.Running)
            return;
        if (!options.TickOnDeadline && node.Replica is not null)
            TickReplica(node);
        if (node.LastAliveAt <= queue.Now - options.AliveIntervalMs)
        {
            node.LastAliveAt = queue.Now;
            network.Send(node.Name, ManagerName, new Alive(node.Incarnation));
        }
        queue.After(options.TickMs, () => NodeTick(node, incarnation));
    }

    /// <summary>
    /// Ticks the replica, checking the contract of <see cref="PartitionReplica.NextTickAt"/>: a tick before the time it
    /// named has no effects (the actor shell skips such ticks).
    /// </summary>
    private void TickReplica(SimNode node)
    {
        var replica = node.Replica!;
        var now = node.Clock.Read(queue.Now);
        var due = replica.NextTickAt(now);
        var effects = replica.Tick(now);
        if (now < due && effects.Count > 0)
            throw new InvariantViolation($"{node.Name} ticked at {now}, before its next tick at {due}, and had effects: {string.Join(", ", effects)}");
        Execute(node, effects);
        ScheduleDeadlineTick(node);
    }

    /// <summary>
    /// With <see cref="SimulationOptions.TickOnDeadline"/>: ticks the replica as the actor shell does, at the first point
    /// of the node's tick grid at or after <see cref="PartitionReplica.NextTickAt"/> (on the node's drifting clock, so a
    /// tick may come early and only schedule the next).
    /// </summary>
    private void ScheduleDeadlineTick(SimNode node)
    {
        if (!options.TickOnDeadline || node.Replica is not { } replica)
            return;
        var now = node.Clock.Read(queue.Now);
        var next = replica.NextTickAt(now);
        if (next == long.MaxValue)
            return;
        var from = queue.Now + Math.Max(next - now, 1) - node.TickPhase;
        var at = from + (options.TickMs - from % options.TickMs) % options.TickMs + node.TickPhase;
        if (at >= node.TickAt)
            return;
        node.TickAt = at;
        var incarnation = node.Incarnation;
        queue.At(at, () =>
        {
            if (node.Incarnation != incarnation || node.Replica is null || node.TickAt != at)
                return;
            node.TickAt = long.MaxValue;
            TickReplica(node);
        });
    }

    private void ManagerReceive(string from, object message)
    {
        switch (message)
        {
            case ManagerReport report when ringManager is not null:
                ringManager.Report(report); // applied at the next tick, as the RingManager gathers them
                break;
            case ManagerReport report:
                ExecuteManager(manager!.OnReport(report, managerClock.Read(queue.Now)));
                break;
            case Alive alive:
                lastAlive[from] = queue.Now;
                aliveIncarnation[from] = alive.Incarnation;
                break;
            case ClientConfigRequest when Config is { } config:
                network.Send(ManagerName, from, new ConfigUpdate(config));
                break;
        }
    }

    private void ManagerTick()
    {
        var now = managerClock.Read(queue.Now);
        if (ringManager is not null)
            RingManagerTick(now);
        else
        {
            var primary = manager!.Config.Primary;
            if (lastAlive.GetValueOrDefault(primary) < queue.Now - options.DetectorTimeoutMs)
                ExecuteManager(manager.OnUnreachable(primary, now));
            ExecuteManager(manager.Tick(now));
        }
        if (!faulty && clients.Values.All(c => c.Idle) && Converged() is null)
            settled = true;
        queue.After(options.TickMs, ManagerTick);
    }

    /// <summary>
    /// The RingManager's tick: membership from what the failure detector heard, the reports gathered since the last tick,
    /// time. Downed members shut down; a new ring goes to every node at once, and the ring again every republish interval.
    /// </summary>
    private void RingManagerTick(long now)
    {
        var before = ringManager!.Ring.Epoch;
        var downed = ringManager.Tick(now,
            node => (aliveIncarnation.GetValueOrDefault(node), lastAlive.GetValueOrDefault(node) >= queue.Now - options.DetectorTimeoutMs), Trace);
        foreach (var name in downed)
        {
            Count("downed");
            if (nodes[name].Running)
                Crash(name);
        }
        ObserveManagerEpoch();
        if (ringManager.Ring.Epoch == before && queue.Now - lastRingPublishAt < options.Settings.RepublishIntervalMs)
            return;
        lastRingPublishAt = queue.Now;
        foreach (var name in nodeNames)
            network.Send(ManagerName, name, new RingPublished(ringManager.Ring));
    }

    private void ExecuteManager(IReadOnlyList<ManagerSend> sends)
    {
        ObserveManagerEpoch();
        foreach (var send in sends)
            network.Send(ManagerName, send.To, send.Message);
    }

    /// <summary>Checks that the manager's epoch never goes back, and counts promotions.</summary>
    private void ObserveManagerEpoch()
    {
        var epoch = ManagerEpoch;
        if (epoch < managerEpoch)
            throw new InvariantViolation($"the manager's epoch went back from {managerEpoch} to {epoch}");
        if (epoch > managerEpoch)
        {
            Trace($"manager: {(object?)Config ?? $"epoch {epoch}, no primary"}");
            if (Config is { } config && config.Primary != lastPrimary)
            {
                promotions++;
                lastPrimary = config.Primary;
            }
        }
        managerEpoch = epoch;
    }

    // ---------------------------------------------------------------- faults

    private void FaultLoop()
    {
        if (!faulty)
            return;
        var roll = random.NextDouble();
        if ((roll -= options.CrashChance) < 0)
        {
            var a = nodeNames[random.Next(nodeNames.Length)];
            if (MayLose(a))
                Crash(a);
        }
        else if ((roll -= options.IsolateChance) < 0)
        {
            var a = nodeNames[random.Next(nodeNames.Length)];
            if (MayLose(a))
                Isolate(a);
        }
        else if ((roll -= options.LinkCutChance) < 0)
        {
            var endpoints = nodeNames.Append(ManagerName).ToArray();
            var a = nodeNames[random.Next(nodeNames.Length)];
            var b = endpoints[random.Next(endpoints.Length)];
            if (a != b && (b != ManagerName || MayLose(a)))
                CutFor(random.NextDouble() < 0.5 ? [(a, b), (b, a)] : [(a, b)]);
        }
        else if ((roll -= options.ManagerCutChance) < 0)
        {
            var a = nodeNames[random.Next(nodeNames.Length)];
            if (MayLose(a))
                CutFor([(a, ManagerName), (ManagerName, a)]);
        }
        queue.After(options.FaultIntervalMs / 2 + random.NextInt64(options.FaultIntervalMs + 1), FaultLoop);
    }

    /// <summary>
    /// Whether a fault may take <paramref name="name"/> away from the cluster (crash it, or cut it off from the manager).
    /// Always with the <see cref="ConfigurationManager"/>. With the RingManager only while the other nodes that are healthy
    /// members are a majority: the cluster layer survives the loss of a minority only (with more unreachable, the
    /// split-brain resolver downs the manager's own side and the cluster restarts, which this simulation does not model).
    /// </summary>
    private bool MayLose(string name)
    {
        if (ringManager is null)
            return true;
        var healthyOthers = nodeNames.Count(n => n != name
            && nodes[n].Running && ringManager.IsReachableMember(n) && !network.IsCut(n, ManagerName) && !network.IsCut(ManagerName, n));
        var healthy = healthyOthers * 2 > nodeNames.Length;
        if (!healthy)
            Count("fault skipped");
        return healthy;
    }

    private void Crash(string name)
    {
        var node = nodes[name];
        if (!node.Running)
            return;
        crashes++;
        Trace($"CRASH {name}");
        node.Replica = null;
        node.Running = false;
        node.Incarnation++;
        var incarnation = node.Incarnation;
        queue.After(options.RestartMinMs + random.NextInt64(options.RestartMaxMs - options.RestartMinMs + 1), () =>
        {
            if (node.Incarnation == incarnation)
                Restart(node);
        });
    }

    private void Restart(SimNode node)
    {
        Trace($"RESTART {node.Name}");
        node.Incarnation++;
        node.Running = true;
        node.Clock = NewClock();
        node.Replica = PartitionReplica.Recover(node.Name, options.Settings, node.Disk.ToDurable(), node.Clock.Read(queue.Now));
        checker.ObserveEpoch(node.Name, node.Replica.Epoch);
        StartTicking(node, 0);
    }

    private void Isolate(string name)
    {
        isolations++;
        var others = nodeNames.Where(n => n != name).Append(ManagerName).Concat(clients.Keys);
        CutFor(others.SelectMany(o => new[] { (name, o), (o, name) }).ToArray());
    }

    private void CutFor((string From, string To)[] links)
    {
        linkCuts++;
        Trace($"CUT {string.Join(", ", links.Select(l => $"{l.From}->{l.To}"))}");
        foreach (var (from, to) in links)
            network.Cut(from, to);
        queue.After(options.CutMinMs + random.NextInt64(options.CutMaxMs - options.CutMinMs + 1), () =>
        {
            foreach (var (from, to) in links)
                network.Heal(from, to);
        });
    }

    private void BeginSettling()
    {
        faulty = false;
        network.HealAll();
        foreach (var node in nodes.Values)
            if (!node.Running)
                Restart(node);
        foreach (var client in clients.Values)
            client.StartingNew = false;
        Trace("SETTLE");
    }

    // ---------------------------------------------------------------- end of run

    /// <summary>Null when the latest configuration's primary serves and every in-sync replica has committed its whole log; else why not.</summary>
    private string? Converged()
    {
        if (manager?.FailingOver == true)
            return "the manager is failing over";
        if (Config is not { } config)
            return $"the ring of epoch {ManagerEpoch} names no primary";
        if (nodes[config.Primary].Replica is not { } primary || primary.Epoch != config.Epoch || !primary.IsServing(nodes[config.Primary].Clock.Read(queue.Now)))
            return $"primary {config.Primary} is not serving epoch {config.Epoch}";
        if (primary.CommitPoint != primary.LastSeq)
            return $"primary {config.Primary} committed {primary.CommitPoint} of {primary.LastSeq}";
        foreach (var name in config.InSync)
        {
            if (nodes[name].Replica is not { } replica || replica.Epoch != config.Epoch || replica.CommitPoint != primary.CommitPoint)
                return $"in-sync {name} has not committed through {primary.CommitPoint}";
        }
        return null;
    }

    private void FinalCheck()
    {
        foreach (var client in clients.Values)
            if (!client.Idle)
                throw new InvariantViolation($"{client.Name}'s request {client.InFlight} never completed after healing ({Describe()})");
        if (Converged() is { } why)
            throw new InvariantViolation($"no convergence {options.SettleMs} ms after healing: {why} ({Describe()})");
        var config = Config!;
        var primary = nodes[config.Primary].Replica!;
        var expected = checker.ExpectedState(primary.CommitPoint);
        foreach (var name in config.InSync.Prepend(config.Primary))
        {
            var replica = nodes[name].Replica!;
            var actual = new SortedDictionary<string, string>(
                replica.State.Pairs.ToDictionary(p => HistoryChecker.Text(p.Key), p => HistoryChecker.Text(p.Value)), StringComparer.Ordinal);
            if (!actual.SequenceEqual(expected))
                throw new InvariantViolation(
                    $"{name}'s state differs from the committed history: {string.Join(",", actual)} vs {string.Join(",", expected)}");
        }
        // INCR as a linearizability probe: the counter holds exactly the increments that took effect, and each
        // acknowledged increment saw a distinct count (checked as acknowledged).
        var increments = checker.IncrementsThrough(primary.CommitPoint);
        var counter = expected.TryGetValue(SimClient.CounterKey, out var text) ? long.Parse(text) : 0;
        if (counter != increments)
            throw new InvariantViolation($"the counter is {counter} after {increments} committed increments");
        if (checker.AckedIncrements > increments)
            throw new InvariantViolation($"{checker.AckedIncrements} increments were acknowledged but only {increments} committed");
        foreach (var write in checker.AckedWrites)
        {
            foreach (var name in config.InSync.Prepend(config.Primary))
            {
                if (nodes[name].Replica!.CommitPoint < write.Seq)
                    throw new InvariantViolation($"acknowledged write {write.Request} (seq {write.Seq}) is not committed at in-sync {name}");
            }
        }
    }

    private string Describe()
    {
        var text = new StringBuilder($"manager {(object?)Config ?? $"epoch {ManagerEpoch}, no primary"}{(manager?.FailingOver == true ? " failing over" : "")}");
        foreach (var node in nodes.Values)
        {
            var r = node.Replica;
            text.Append(r is null
                ? $"; {node.Name} {(node.Running ? "without a replica" : "down")}"
                : $"; {node.Name} {r.Role} e{r.Epoch} commit {r.CommitPoint} last {r.LastSeq}{(r.Role == ReplicaRole.Primary ? $" serving {r.IsServing(node.Clock.Read(queue.Now))} lease {r.HoldsLease(node.Clock.Read(queue.Now))}" : "")}");
        }
        return text.ToString();
    }

    private static string Show(object message) => message switch
    {
        Prepare p => $"Prepare e{p.Epoch} prev {p.PrevSeq}@{p.PrevEpoch} [{Show(p.Entries)}] commit {p.CommitPoint} sent {p.SentAt}",
        CatchUpData c => $"CatchUpData e{c.Epoch}{(c.Snapshot is null ? "" : $" snapshot@{c.Snapshot.Seq}")} prev {c.PrevSeq}@{c.PrevEpoch} [{Show(c.Entries)}] commit {c.CommitPoint}",
        ClientRequestMessage r => $"{r.Id} {r.Write?.ToString() ?? r.Command?.ToString() ?? $"{r.Mode} read {HistoryChecker.Text(r.ReadKey!)}"}",
        ReadDone r => $"ReadDone {r.Request} {(r.Value is null ? "not found" : HistoryChecker.Text(r.Value))} as of {r.AsOfSeq}",
        _ => message.ToString() ?? "",
    };

    private static string Show(IReadOnlyList<LogEntry> entries) =>
        string.Join(" ", entries.Select(e => $"{e.Seq}@{e.Epoch}:{e.Request}"));

    private void Count(string what) => counts[what] = counts.GetValueOrDefault(what) + 1;

    private void Trace(string line)
    {
        if (trace is null)
            return;
        trace.Enqueue($"{queue.Now,7} {line}");
        if (trace.Count > 600)
            trace.Dequeue();
    }

    /// <summary>A node's own monotonic clock: a random rate near 1 and an offset that changes with every process start.</summary>
    private sealed class SimClock(double rate, long offset)
    {
        public long Read(long realNow) => offset + (long)(realNow * rate);
    }

    private SimClock NewClock() =>
        new(1 + (random.NextDouble() * 2 - 1) * options.ClockDrift, random.NextInt64(1_000_000));

    private sealed class SimNode(string name)
    {
        public string Name { get; } = name;
        public SimClock Clock { get; set; } = new(1, 0);
        /// <summary>Null while the node is down, or its ring leaves it out of the partition (<see cref="Running"/> tells which).</summary>
        public PartitionReplica? Replica { get; set; }

        /// <summary>Whether the node's process runs.</summary>
        public bool Running { get; set; } = true;

        /// <summary>The newest ring epoch the node applied (kept on its disk: it survives restarts).</summary>
        public long RingEpoch { get; set; }
        public SimDisk Disk { get; } = new();
        public int Incarnation { get; set; }
        public long LastAliveAt { get; set; } = long.MinValue;

        /// <summary>The node's tick grid is the multiples of the tick interval shifted by this (ms of virtual time).</summary>
        public long TickPhase { get; set; }

        /// <summary>When the next deadline tick comes (virtual ms); MaxValue when none is scheduled.</summary>
        public long TickAt { get; set; } = long.MaxValue;
    }
}

/// <summary>What one run did.</summary>
public sealed record SimulationReport(
    int Seed, int Steps, long FaultyMs, long VirtualMs, int AckedWrites, int LeasedReads, int StaleReads, long FinalEpoch,
    int Promotions, int Crashes, int Isolations, int LinkCuts, long Committed, IReadOnlyDictionary<string, int> Counts);
