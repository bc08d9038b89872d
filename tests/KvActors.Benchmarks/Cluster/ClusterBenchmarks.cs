using System.Diagnostics;
using System.Globalization;
using KvActors.Actor;
using KvActors.Cluster;
using KvActors.Hocon;

namespace KvActors.Benchmarks.Cluster;

/// <summary>
/// `./build.sh bench cluster`, all with the default reference.conf kvactors.cluster timings:
/// <list type="bullet">
/// <item>cluster.convergence_ms_N: N in-process actor systems (provider cluster, loopback port 0)
/// each joined to the first; wall time from creating the first system until every node sees N
/// members Up. Median of --runs runs (default 3) after one unreported warm-up at N = 3.</item>
/// <item>cluster.kill_to_{unreachable,removed}_ms_median: 3 real kvnode processes (seed + 2) and
/// this process's own actor system as a 4th member, the observer. Each round SIGKILLs the oldest
/// non-seed kvnode and times, from the kill, the observer's UnreachableMember and MemberRemoved
/// for it; then a fresh kvnode on a new port replaces it, so every round kills a healthy member.</item>
/// </list>
/// </summary>
public static class ClusterBenchmarks
{
    private static readonly int[] Sizes = [3, 5, 10];
    private const int Rounds = 5;

    /// <summary>Time for the failure detectors to gather heartbeat history after the cluster is Up.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = IntArg(args, "--runs", 3);
        var rounds = IntArg(args, "--rounds", Rounds);
        if (!args.Contains("--skip-convergence")) await ConvergenceAsync(runs);
        if (!args.Contains("--skip-kill")) await KillRoundsAsync(rounds);
        return 0;
    }

    internal static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }

    internal static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    internal static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("0", CultureInfo.InvariantCulture)));

    // ---- convergence, in-process ----

    private static Config InProcessConfig => Config.Parse("""
        kvactors.actor.provider = cluster
        kvactors.remote.hostname = "127.0.0.1"
        kvactors.remote.port = 0
        kvactors.log-dead-letters = off
        """);

    private static async Task ConvergenceAsync(int runs)
    {
        await ConvergeOnceAsync(3); // warm-up: JIT and first-use costs, not reported
        foreach (var n in Sizes)
        {
            var times = new List<double>();
            for (var r = 0; r < runs; r++) times.Add(await ConvergeOnceAsync(n));
            Console.WriteLine($"# cluster.convergence_ms_{n} runs: {Join(times)}");
            Report.Figure($"cluster.convergence_ms_{n}", Median(times), "ms");
        }
    }

    private static async Task<double> ConvergeOnceAsync(int n)
    {
        var systems = new List<ActorSystem>();
        try
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++) systems.Add(ActorSystem.Create("bench", InProcessConfig));
            var clusters = systems.Select(KvActors.Cluster.Cluster.Get).ToList();
            foreach (var c in clusters) c.Join(clusters[0].SelfAddress);
            var deadline = Stopwatch.StartNew();
            while (!clusters.All(c => c.State.Members.Count == n && c.State.Members.All(m => m.Status == MemberStatus.Up)))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(120))
                    throw new TimeoutException($"{n} nodes did not converge within 120 s: {string.Join("; ", clusters.Select(c => $"{c.SelfAddress.HostPort} sees {c.State.Members.Count(m => m.Status == MemberStatus.Up)} Up of {c.State.Members.Count}"))}");
                Thread.Sleep(2);
            }
            return Ms(start, Stopwatch.GetTimestamp());
        }
        finally
        {
            // Shut down between sizes: all at once, bounded, so the next size starts from nothing.
            await Task.WhenAny(Task.WhenAll(systems.Select(s => s.Terminate())), Task.Delay(TimeSpan.FromSeconds(60)));
        }
    }

    // ---- SIGKILL of a kvnode process ----

    private sealed record Round(int Number, string Victim, bool VictimWasLeader, string Leader, double Unreachable, double Downed, double Removed, IReadOnlyList<string> Timeline)
    {
        /// <summary>From every survivor's log (arrival times, ms after the kill): the first and last "is unreachable" record, the split-brain decision, the leader's Down -> Removed.</summary>
        public double FirstRecord { get; init; } = double.NaN;
        public double LastRecord { get; init; } = double.NaN;
        public double Decision { get; init; } = double.NaN;
        public double LeaderRemoved { get; init; } = double.NaN;
    }

    /// <summary>Starts a seed and two members (added to <paramref name="nodes"/> as they start, for cleanup) and an observer member; waits for 4 Up.</summary>
    internal static Observer StartThreeNodesAndObserver(List<KvNodeProcess> nodes)
    {
        var seed = KvNodeProcess.Start();
        nodes.Add(seed);
        nodes.Add(KvNodeProcess.Start(seedPort: seed.Port));
        nodes.Add(KvNodeProcess.Start(seedPort: seed.Port));
        var observer = Observer.Join(seed.Port);
        if (!observer.AwaitMembersUp(4, TimeSpan.FromSeconds(60)))
        {
            observer.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
            throw new TimeoutException($"the cluster did not reach 4 members Up: the observer sees {observer.Describe()}");
        }
        return observer;
    }

    private static async Task KillRoundsAsync(int rounds)
    {
        var nodes = new List<KvNodeProcess>();
        Observer? observer = null;
        try
        {
            observer = StartThreeNodesAndObserver(nodes);
            var seed = nodes[0];
            Console.WriteLine($"# kill rounds: seed {seed.HostPort}, observer {observer.Cluster.SelfAddress.HostPort}, default reference.conf timings");
            Thread.Sleep(Settle);

            var results = new List<Round>();
            for (var r = 1; r <= rounds; r++)
            {
                var victim = nodes.Where(n => n != seed && !n.HasExited).First(); // the oldest non-seed member
                results.Add(KillRound(r, victim, nodes, observer));
                victim.Dispose();
                nodes.Remove(victim);
                if (r == rounds) break;
                nodes.Add(KvNodeProcess.Start(seedPort: seed.Port));
                if (!observer.AwaitMembersUp(4, TimeSpan.FromSeconds(60)))
                    throw new TimeoutException($"the replacement kvnode did not bring the cluster back to 4 Up: the observer sees {observer.Describe()}");
                Thread.Sleep(Settle);
            }

            foreach (var round in results)
            {
                Console.WriteLine($"# round {round.Number}: killed {round.Victim}{(round.VictimWasLeader ? " (the leader)" : "")}, leader {round.Leader}: unreachable {round.Unreachable:0} ms, downed {round.Downed:0} ms, removed {round.Removed:0} ms");
                foreach (var line in round.Timeline) Console.WriteLine($"#   {line}");
            }
            Console.WriteLine($"# cluster.kill_to_unreachable_ms rounds: {Join(results.Select(x => x.Unreachable))}");
            Console.WriteLine($"# cluster.kill_to_downed_ms rounds: {Join(results.Select(x => x.Downed))}");
            Console.WriteLine($"# cluster.kill_to_removed_ms rounds: {Join(results.Select(x => x.Removed))}");
            Console.WriteLine("# breakdown from the survivors' logs (medians, ms): "
                + $"kill->first unreachable record {Median(results.Select(x => x.FirstRecord).ToList()):0} (failure detector: heartbeat-interval + acceptable-heartbeat-pause + phi margin, reaper tick); "
                + $"first->last record {Median(results.Select(x => x.LastRecord - x.FirstRecord).ToList()):0} (the other detectors; each new record restarts the stability clock); "
                + $"last record->split-brain decision {Median(results.Select(x => x.Decision - x.LastRecord).ToList()):0} (gossip of that record to the leader + stable-after + reaper tick); "
                + $"decision->leader Down->Removed {Median(results.Select(x => x.LeaderRemoved - x.Decision).ToList()):0} (Down gossip seen by all + leader-actions tick); "
                + $"leader removed->observer MemberRemoved {Median(results.Select(x => x.Removed - x.LeaderRemoved).ToList()):0} (gossip)");
            var det = Median(results.Select(x => x.Unreachable).ToList());
            var down = Median(results.Select(x => x.Downed - x.Unreachable).ToList());
            var rem = Median(results.Select(x => x.Removed - x.Downed).ToList());
            Console.WriteLine($"# breakdown (medians, observer's view): kill->unreachable {det:0} ms (failure detection + reaper tick), unreachable->downed {down:0} ms (split-brain stable-after + leader's reaper tick + gossip), downed->removed {rem:0} ms (Down gossip convergence + leader-actions tick + gossip)");
            Report.Figure("cluster.kill_to_unreachable_ms_median", det, "ms");
            Report.Figure("cluster.kill_to_removed_ms_median", Median(results.Select(x => x.Removed).ToList()), "ms");
        }
        finally
        {
            if (observer is not null) await observer.DisposeAsync();
            foreach (var n in nodes) n.Dispose();
        }
    }

    private static Round KillRound(int number, KvNodeProcess victim, IReadOnlyList<KvNodeProcess> nodes, Observer observer)
    {
        var leader = observer.Cluster.State.Leader?.HostPort ?? "none";
        observer.Events.Clear();
        foreach (var n in nodes) n.Lines.Clear();
        observer.Log.Lines.Clear();

        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();

        long? unreachable = null, downed = null, removed = null;
        var deadline = Stopwatch.StartNew();
        while (removed is null)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(120))
                throw new TimeoutException($"round {number}: {victim.HostPort} was not removed within 120 s of its SIGKILL; the observer sees {observer.Describe()}");
            foreach (var (at, e) in observer.Events)
            {
                if (e is not (UnreachableMember or MemberDowned or MemberRemoved)) continue;
                var about = e is ReachabilityEvent re ? re.Member : ((MemberEvent)e).Member;
                if (about.Address.Port != victim.Port) continue;
                if (e is UnreachableMember) unreachable ??= at;
                if (e is MemberDowned) downed ??= at;
                if (e is MemberRemoved) removed ??= at;
            }
            Thread.Sleep(5);
        }
        // MemberDowned may be skipped when Down and Removed arrive in one gossip: then downed = removed.
        downed ??= removed;
        unreachable ??= downed;

        // The timeline: the observer's events and every cluster log line about the victim (or from the split-brain resolver / leader), by arrival.
        var timeline = new List<(long At, string What)>();
        foreach (var (at, e) in observer.Events) timeline.Add((at, $"observer event {Describe(e)}"));
        foreach (var n in nodes.Where(n => n != victim))
            foreach (var (at, line) in n.Lines)
                if (Interesting(line, victim)) timeline.Add((at, $"[n{n.Port}] {Strip(line)}"));
        foreach (var (at, line) in observer.Log.Lines)
            if (Interesting(line, victim)) timeline.Add((at, line));
        var lines = timeline.Where(t => t.At <= removed.Value + Stopwatch.Frequency).OrderBy(t => t.At)
            .Select(t => $"+{Ms(killedAt, t.At),6:0} ms  {t.What}").ToList();

        var logs = nodes.Where(n => n != victim).SelectMany(n => n.Lines).Concat(observer.Log.Lines)
            .Where(l => l.Line.Contains(victim.HostPort, StringComparison.Ordinal)).ToList();
        double When(Func<string, bool> match, bool last = false)
        {
            var hits = logs.Where(l => match(l.Line)).Select(l => Ms(killedAt, l.At)).ToList();
            return hits.Count == 0 ? double.NaN : last ? hits.Max() : hits.Min();
        }
        return new Round(number, victim.HostPort, leader == victim.HostPort, leader,
            Ms(killedAt, unreachable.Value), Ms(killedAt, downed.Value), Ms(killedAt, removed.Value), lines)
        {
            FirstRecord = When(l => l.Contains(" is unreachable.", StringComparison.Ordinal)),
            LastRecord = When(l => l.Contains(" is unreachable.", StringComparison.Ordinal), last: true),
            Decision = When(l => l.Contains("Split-brain resolver:", StringComparison.Ordinal)),
            LeaderRemoved = When(l => l.Contains("Leader: ", StringComparison.Ordinal) && l.Contains("Down -> Removed", StringComparison.Ordinal)),
        };
    }

    internal static string Describe(IClusterDomainEvent e) => e switch
    {
        ReachabilityEvent r => $"{e.GetType().Name} {r.Member.Address.HostPort}",
        MemberEvent m => $"{e.GetType().Name} {m.Member.Address.HostPort}",
        LeaderChanged l => $"LeaderChanged {l.Leader?.HostPort ?? "none"}",
        _ => e.GetType().Name,
    };

    private static bool Interesting(string line, KvNodeProcess victim) =>
        line.Contains(victim.HostPort, StringComparison.Ordinal)
        && (line.Contains("unreachable", StringComparison.Ordinal) || line.Contains("Split-brain", StringComparison.Ordinal)
            || line.Contains("Leader:", StringComparison.Ordinal) || line.Contains("Down", StringComparison.Ordinal) || line.Contains("Removed", StringComparison.Ordinal));

    /// <summary>kvnode lines start with "HH:mm:ss.fff LEVEL [name] category: "; keep level onwards, shortened.</summary>
    private static string Strip(string line) => line.Length > 13 ? line[13..] : line;
}
