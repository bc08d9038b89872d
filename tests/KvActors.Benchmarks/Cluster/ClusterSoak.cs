using System.Diagnostics;
using static Akka.Cluster.ClusterEvent;

namespace KvActors.Benchmarks.Cluster;

/// <summary>
/// `./build.sh bench cluster-soak [--duration 10m]`: 3 kvnode processes plus this process's
/// <see cref="Observer"/> member, reference.conf timings, while two spinning threads in this
/// process (normal priority) keep both cores busy. Nothing is killed, so every downing is false:
/// cluster.false_downings = distinct members (incarnations) the observer saw Downed or Removed,
/// plus kvnode processes that exited on their own (a downed kvnode shuts itself down);
/// cluster.unreachable_events = UnreachableMember events the observer saw (any member).
/// </summary>
public static class ClusterSoak
{
    private const int Burners = 2;

    /// <remarks>Synchronous on the main thread, for the reason given on <see cref="ClusterBenchmarks.RunAsync"/>.</remarks>
    public static Task<int> RunAsync(string[] args) => Task.FromResult(Run(args));

    private static int Run(string[] args)
    {
        var duration = Stats.DurationOption(args, "--duration", TimeSpan.FromMinutes(10));
        RecordingLogger.EchoLevel = args.Contains("--verbose") ? Akka.Event.LogLevel.InfoLevel : null;
        var nodes = new List<KvNodeProcess>();
        var dataRoot = ClusterBenchmarks.TempRoot("soak");
        Observer? observer = null;
        using var stop = new CancellationTokenSource();
        var burners = new List<Thread>();
        long spins = 0;
        try
        {
            observer = ClusterBenchmarks.StartThreeNodesAndObserver(nodes, dataRoot);
            Thread.Sleep(ClusterBenchmarks.Settle);
            observer.Events.Clear();
            RecordingLogger.Lines.Clear();
            foreach (var n in nodes) n.Lines.Clear();
            Report.Note($"soak: {duration.TotalMinutes:0.#} min, {Burners} spinning threads on {Environment.ProcessorCount} cores, kvnodes {string.Join(", ", nodes.Select(n => $"{n.Name} {n.HostPort}"))}, observer {Observer.Port(observer.Cluster.SelfAddress)}; reference.conf timings");

            for (var i = 0; i < Burners; i++)
            {
                var t = new Thread(() =>
                {
                    var x = 1.0;
                    long local = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        for (var k = 0; k < 100_000; k++) x = Math.Sqrt(x + k);
                        local++;
                    }
                    Interlocked.Add(ref spins, local + (x < 0 ? 1 : 0));
                }) { IsBackground = true, Name = $"cpu-burner-{i}" };
                t.Start();
                burners.Add(t);
            }

            var soakStart = Stopwatch.GetTimestamp();
            var clock = Stopwatch.StartNew();
            var nextReport = TimeSpan.FromMinutes(1);
            while (clock.Elapsed < duration)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(500));
                if (clock.Elapsed >= nextReport)
                {
                    var c = Count(observer, nodes);
                    Report.Note($"{clock.Elapsed.TotalMinutes:0} min: {c.Unreachable} unreachable events, {c.FalseDownings} false downings; loadavg {LoadAverage()}; observer sees {observer.Describe()}");
                    nextReport += TimeSpan.FromMinutes(1);
                }
            }
            stop.Cancel();
            foreach (var t in burners) t.Join();

            var counts = Count(observer, nodes);
            foreach (var (at, e) in observer.Events)
                if (e is UnreachableMember or ReachableMember or MemberDowned or MemberRemoved)
                    Report.Note($"+{Stats.Ms(soakStart, at) / 1000:0.0} s into the soak: {Observer.Describe(e)}");
            var exited = nodes.Where(n => n.HasExited).Select(n => $"{n.Name} (code {n.ExitCode})").ToList();
            var akkaWarnings = RecordingLogger.Lines.Count(l => l.Level >= Akka.Event.LogLevel.WarningLevel);
            Report.Note($"end: observer sees {observer.Describe()}; ReachableMember events {counts.Reachable}; kvnodes exited: {(exited.Count == 0 ? "none" : string.Join(", ", exited))}; observer Akka warnings/errors {akkaWarnings}; spin iterations {Interlocked.Read(ref spins):N0}; loadavg {LoadAverage()}");
            Report.Figure("cluster.false_downings", counts.FalseDownings, "count", $"target 0: {(counts.FalseDownings == 0 ? "met" : "MISSED")}");
            Report.Figure("cluster.unreachable_events", counts.Unreachable, "count");
            return 0;
        }
        finally
        {
            stop.Cancel();
            observer?.Dispose();
            foreach (var n in nodes) n.Dispose();
            ClusterBenchmarks.DeleteQuietly(dataRoot);
        }
    }

    private static (int Unreachable, int Reachable, int FalseDownings) Count(Observer observer, IEnumerable<KvNodeProcess> nodes)
    {
        var events = observer.Events.Select(e => e.Event).ToList();
        var downed = events.OfType<MemberStatusChange>().Where(e => e is MemberDowned or MemberRemoved)
            .Select(e => $"{e.Member.Address.Host}:{e.Member.Address.Port}").ToHashSet();
        foreach (var n in nodes.Where(n => n.HasExited)) downed.Add(n.HostPort);
        return (events.Count(e => e is UnreachableMember), events.Count(e => e is ReachableMember), downed.Count);
    }

    internal static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }
}
