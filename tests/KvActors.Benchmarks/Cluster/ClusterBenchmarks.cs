using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace KvActors.Benchmarks.Cluster;

/// <summary>
/// `./build.sh bench cluster`, all with the reference.conf settings kvnode runs with:
/// <list type="bullet">
/// <item>cluster.convergence_ms_N (N = 3, 5, 10): N in-process Akka.Cluster nodes (system
/// "kvactors", loopback port 0), the first the seed node of all; wall time from creating the first
/// until every node sees N members Up. Median of --runs runs (default 5) after one unreported
/// warm-up at N = 3.</item>
/// <item>cluster.kill_to_{unreachable,removed}_ms_{median,max}: 3 real kvnode processes and an
/// in-process <see cref="Observer"/> member. Each of --rounds rounds (default 5) SIGKILLs the
/// oldest kvnode but the first (the seed, so the observer is never the oldest member) and times,
/// from the kill, the observer's UnreachableMember and MemberRemoved for it; the killed node is
/// then restarted (same name, port and data directory) and the cluster left to settle.</item>
/// </list>
/// </summary>
public static class ClusterBenchmarks
{
    private static readonly int[] Sizes = [3, 5, 10];
    private const double RemovedTargetMs = 5_000;

    /// <summary>Time for the failure detectors to gather heartbeat history once the cluster is Up.</summary>
    internal static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    internal static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(90);

    /// <remarks>
    /// Synchronous on the calling (main) thread on purpose: ActorSystem.Create and the polling
    /// loops block, and blocking thread-pool threads starves the actor systems (Akka's default
    /// dispatcher runs on the .NET thread pool) - creating 10 systems then took over a minute.
    /// </remarks>
    public static Task<int> RunAsync(string[] args) => Task.FromResult(Run(args));

    private static int Run(string[] args)
    {
        var runs = Stats.IntOption(args, "--runs", 5);
        var rounds = Stats.IntOption(args, "--rounds", 5);
        var timeline = args.Contains("--timeline");
        RecordingLogger.EchoLevel = args.Contains("--verbose") ? Akka.Event.LogLevel.InfoLevel : null;
        if (!args.Contains("--skip-convergence")) Convergence(runs);
        if (!args.Contains("--skip-kill")) KillRounds(rounds, timeline);
        return 0;
    }

    // ---- convergence, in-process ----

    private static Akka.Configuration.Config InProcessConfig => BenchAkka.Config("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.port = 0
        akka.log-dead-letters = off
        # Shut down without leaving: every node of the run stops at once, nobody needs a graceful exit.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """);

    private static void Convergence(int runs)
    {
        ConvergeOnce(3); // warm-up: JIT and first-use costs, not reported
        foreach (var n in Sizes)
        {
            var times = new List<(double Total, double Created)>();
            for (var r = 0; r < runs; r++) times.Add(ConvergeOnce(n));
            Report.Note($"cluster.convergence_ms_{n} runs: {Stats.Join(times.Select(t => t.Total))} (of which creating the {n} actor systems: {Stats.Join(times.Select(t => t.Created))})");
            Report.Figure($"cluster.convergence_ms_{n}", Stats.Median(times.Select(t => t.Total)), "ms");
        }
    }

    private static (double Total, double Created) ConvergeOnce(int n)
    {
        var systems = new List<ActorSystem>();
        try
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++) systems.Add(ActorSystem.Create(BenchAkka.ClusterSystemName, InProcessConfig));
            var created = Stopwatch.GetTimestamp();
            var clusters = systems.Select(Akka.Cluster.Cluster.Get).ToList();
            // As kvnode joins: the first node is the seed of all (it forms the cluster), the others retry until it answers.
            foreach (var c in clusters) c.JoinSeedNodes([clusters[0].SelfAddress]);
            var deadline = Stopwatch.StartNew();
            while (!clusters.All(c => c.State.Members.Count == n && c.State.Members.All(m => m.Status == MemberStatus.Up)))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(120))
                    throw new TimeoutException($"{n} nodes did not converge within 120 s: {string.Join("; ", clusters.Select(c => $"{c.SelfAddress.Port} sees {c.State.Members.Count(m => m.Status == MemberStatus.Up)} Up of {c.State.Members.Count}"))}");
                Thread.Sleep(1);
            }
            var end = Stopwatch.GetTimestamp();
            return (Stats.Ms(start, end), Stats.Ms(start, created));
        }
        finally
        {
            Task.WhenAll(systems.Select(s => s.Terminate())).Wait(TimeSpan.FromSeconds(60));
            RecordingLogger.Lines.Clear();
        }
    }

    // ---- SIGKILL of a kvnode process ----

    /// <summary>Three kvnodes (n1 the seed of all) and an observer, all Up; the nodes are added to <paramref name="nodes"/> as they start, for cleanup.</summary>
    internal static Observer StartThreeNodesAndObserver(List<KvNodeProcess> nodes, string dataRoot)
    {
        var ports = new HashSet<int>();
        while (ports.Count < 3) ports.Add(KvNodeProcess.FreePort());
        var p = ports.ToArray();
        for (var i = 0; i < 3; i++)
            nodes.Add(KvNodeProcess.Start($"n{i + 1}", p[i], [p[0]], Path.Combine(dataRoot, $"n{i + 1}")));
        var observer = Observer.Join([p[0]]);
        try
        {
            if (!observer.AwaitMembersUp(4, UpTimeout, () => Exited(nodes)))
                throw new TimeoutException($"the cluster did not reach 4 members Up within {UpTimeout.TotalSeconds:0} s: the observer sees {observer.Describe()}; kvnode output: {string.Join(" || ", nodes.Select(n => $"{n.Name}: {n.LastLines(5)}"))}");
        }
        catch
        {
            observer.Dispose();
            throw;
        }
        return observer;
    }

    internal static string? Exited(IEnumerable<KvNodeProcess> nodes) =>
        nodes.FirstOrDefault(n => n.HasExited) is { } dead ? $"kvnode {dead.Name} ({dead.HostPort}) exited with code {dead.ExitCode}: {dead.LastLines()}" : null;

    internal static string TempRoot(string what)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"kv-bench-{what}-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    internal static void DeleteQuietly(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed record Round(int Number, string Victim, bool WasLeader, double Unreachable, double Downed, double Removed, int OtherEvents, IReadOnlyList<string> Timeline);

    private static void KillRounds(int rounds, bool showTimeline)
    {
        var nodes = new List<KvNodeProcess>();
        var dataRoot = TempRoot("cluster");
        Observer? observer = null;
        try
        {
            observer = StartThreeNodesAndObserver(nodes, dataRoot);
            Report.Note($"kill rounds: kvnodes {string.Join(", ", nodes.Select(n => $"{n.Name} {n.HostPort}"))} (seed {nodes[0].Name}), observer {Observer.Port(observer.Cluster.SelfAddress)}; reference.conf timings");
            Thread.Sleep(Settle);

            var results = new List<Round>();
            for (var r = 1; r <= rounds; r++)
            {
                var state = observer.Cluster.State;
                // The oldest kvnode but the seed: the observer (younger than the seed) never becomes the oldest member.
                var victimMember = state.Members.Where(m => nodes.Skip(1).Any(n => n.Port == m.Address.Port))
                    .Aggregate((a, b) => b.IsOlderThan(a) ? b : a);
                var index = nodes.FindIndex(n => n.Port == victimMember.Address.Port);
                var round = KillRound(r, nodes[index], victimMember, state.Leader, nodes, observer);
                results.Add(round);
                Report.Note($"round {r}: killed {round.Victim}{(round.WasLeader ? " (the leader)" : "")}: unreachable {round.Unreachable:0} ms, downed {round.Downed:0} ms, removed {round.Removed:0} ms after the SIGKILL{(round.OtherEvents > 0 ? $"; {round.OtherEvents} unreachable/downed/removed events about OTHER members" : "")}");
                if (showTimeline) foreach (var line in round.Timeline) Report.Note($"  {line}");

                var killed = nodes[index];
                killed.Dispose();
                nodes[index] = killed.Restart();
                var restarted = nodes[index];
                if (!observer.AwaitMembersUp(4, UpTimeout, () => Exited(nodes),
                        s => s.Members.Any(m => m.Address.Port == restarted.Port && m.UniqueAddress != victimMember.UniqueAddress)))
                    throw new TimeoutException($"the restarted {restarted.Name} did not bring the cluster back to 4 Up within {UpTimeout.TotalSeconds:0} s: the observer sees {observer.Describe()}; its output: {restarted.LastLines()}");
                if (r < rounds) Thread.Sleep(Settle);
            }

            var unreachable = results.Select(x => x.Unreachable).ToList();
            var removed = results.Select(x => x.Removed).ToList();
            Report.Note($"kill->unreachable rounds: {Stats.Join(unreachable)} ms; kill->downed: {Stats.Join(results.Select(x => x.Downed))} ms; kill->removed: {Stats.Join(removed)} ms");
            Report.Note($"medians: kill->unreachable {Stats.Median(unreachable):0} ms (failure detector + reaper tick), unreachable->downed {Stats.Median(results.Select(x => x.Downed - x.Unreachable)):0} ms (split-brain stable-after + gossip), downed->removed {Stats.Median(results.Select(x => x.Removed - x.Downed)):0} ms (leader actions + gossip)");
            Report.Figure("cluster.kill_to_unreachable_ms_median", Stats.Median(unreachable), "ms");
            Report.Figure("cluster.kill_to_unreachable_ms_max", unreachable.Max(), "ms");
            var removedMedian = Stats.Median(removed);
            Report.Figure("cluster.kill_to_removed_ms_median", removedMedian, "ms", $"target <= 5,000 ms: {(removedMedian <= RemovedTargetMs ? "met" : "MISSED")}");
            Report.Figure("cluster.kill_to_removed_ms_max", removed.Max(), "ms");
        }
        finally
        {
            observer?.Dispose();
            foreach (var n in nodes) n.Dispose();
            DeleteQuietly(dataRoot);
        }
    }

    private static Round KillRound(int number, KvNodeProcess victim, Member victimMember, Address? leader, IReadOnlyList<KvNodeProcess> nodes, Observer observer)
    {
        observer.Events.Clear();
        RecordingLogger.Lines.Clear();
        foreach (var n in nodes) n.Lines.Clear();
        var target = victimMember.UniqueAddress;

        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();

        long? unreachable = null, downed = null, removed = null;
        var clock = Stopwatch.StartNew();
        while (removed is null)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(120))
                throw new TimeoutException($"round {number}: {victim.Name} ({victim.HostPort}) was not removed within 120 s of its SIGKILL; the observer sees {observer.Describe()}");
            foreach (var (at, e) in observer.Events)
            {
                switch (e)
                {
                    case UnreachableMember u when u.Member.UniqueAddress == target: unreachable ??= at; break;
                    case MemberDowned d when d.Member.UniqueAddress == target: downed ??= at; break;
                    case MemberRemoved x when x.Member.UniqueAddress == target: removed ??= at; break;
                }
            }
            Thread.Sleep(2);
        }
        // MemberDowned is skipped when Down and Removed arrive in one gossip: then downed = removed.
        downed ??= removed;
        unreachable ??= downed;

        var others = observer.Events.Count(x => x.Event switch
        {
            UnreachableMember u => u.Member.UniqueAddress != target,
            MemberDowned d => d.Member.UniqueAddress != target,
            MemberRemoved m => m.Member.UniqueAddress != target,
            _ => false,
        });

        // Timeline (--timeline): the observer's events and Akka log lines, and the survivors' log lines that name the victim.
        var port = $":{victim.Port}";
        var timeline = new List<(long At, string What)>();
        foreach (var (at, e) in observer.Events)
            if (e is MemberStatusChange or ReachabilityEvent or LeaderChanged) timeline.Add((at, $"observer event {Observer.Describe(e)}"));
        foreach (var (at, _, line) in RecordingLogger.Lines)
            if (AboutMembership(line, port)) timeline.Add((at, $"observer log {Trim(line)}"));
        foreach (var n in nodes.Where(n => n != victim))
            foreach (var (at, line) in n.Lines)
                if (AboutMembership(line, port)) timeline.Add((at, $"{n.Name} log {Trim(line)}"));
        var lines = timeline.Where(t => t.At <= removed.Value + Stopwatch.Frequency).OrderBy(t => t.At)
            .Select(t => $"+{Stats.Ms(killedAt, t.At),6:0} ms  {t.What}").ToList();

        return new Round(number, $"{victim.Name} ({victim.HostPort})", leader == victimMember.Address,
            Stats.Ms(killedAt, unreachable.Value), Stats.Ms(killedAt, downed.Value), Stats.Ms(killedAt, removed.Value), others, lines);
    }

    /// <summary>A cluster log line about the victim: its unreachability, the split-brain decision, its downing or removal.</summary>
    private static bool AboutMembership(string line, string port) =>
        line.Contains(port, StringComparison.Ordinal)
        && (line.Contains("UNREACHABLE", StringComparison.Ordinal) || line.Contains("SBR", StringComparison.Ordinal)
            || line.Contains("Down", StringComparison.Ordinal) || line.Contains("remov", StringComparison.OrdinalIgnoreCase))
        && !line.Contains("receive buffers", StringComparison.Ordinal);

    private static string Trim(string line) => line.Length > 220 ? line[..220] + "..." : line;
}
