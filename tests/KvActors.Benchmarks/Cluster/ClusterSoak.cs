using System.Diagnostics;
using KvActors.Cluster;

namespace KvActors.Benchmarks.Cluster;

/// <summary>
/// `./build.sh bench cluster-soak [--minutes N]` (default 10): 3 kvnode processes plus this
/// process's observer member, default reference.conf timings, while two burner threads keep both
/// cores busy. Nothing is killed, so every downing is false:
/// cluster.false_downings = distinct members (incarnations) the observer saw Downed or Removed;
/// cluster.unreachable_events = UnreachableMember events it saw (any member, itself included).
/// </summary>
public static class ClusterSoak
{
    private const int Burners = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = ClusterBenchmarks.IntArg(args, "--minutes", 10);
        var nodes = new List<KvNodeProcess>();
        Observer? observer = null;
        var stop = new CancellationTokenSource();
        var burners = new List<Thread>();
        try
        {
            observer = ClusterBenchmarks.StartThreeNodesAndObserver(nodes);
            Thread.Sleep(TimeSpan.FromSeconds(5));
            observer.Events.Clear();
            foreach (var n in nodes) n.Lines.Clear();
            Console.WriteLine($"# soak: {minutes} min, {Burners} burner threads, kvnodes {string.Join(", ", nodes.Select(n => n.HostPort))}, observer {observer.Cluster.SelfAddress.HostPort}, default reference.conf timings");

            long spins = 0;
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
            var duration = TimeSpan.FromMinutes(minutes);
            var nextReport = TimeSpan.FromMinutes(1);
            while (clock.Elapsed < duration)
            {
                Thread.Sleep(TimeSpan.FromSeconds(1));
                if (clock.Elapsed >= nextReport)
                {
                    Console.WriteLine($"# {clock.Elapsed.TotalMinutes:0} min: {Count(observer).Unreachable} unreachable events, {Count(observer).Downed} downed; observer sees {observer.Describe()}");
                    nextReport += TimeSpan.FromMinutes(1);
                }
            }
            stop.Cancel();
            foreach (var t in burners) t.Join();

            var (unreachable, downed, reachableAgain) = Count(observer);
            foreach (var (at, e) in observer.Events)
                if (e is UnreachableMember or ReachableMember or MemberDowned or MemberRemoved)
                    Console.WriteLine($"# +{ClusterBenchmarks.Ms(soakStart, at) / 1000:0.0} s into the soak: {ClusterBenchmarks.Describe(e)}");
            var nodeUnreachableLines = nodes.Sum(n => n.Lines.Count(l => l.Line.Contains(" is unreachable", StringComparison.Ordinal)));
            var exited = nodes.Where(n => n.HasExited).Select(n => n.HostPort).ToList();
            Console.WriteLine($"# end: observer sees {observer.Describe()}; ReachableMember events {reachableAgain}; kvnode 'is unreachable' log lines {nodeUnreachableLines}; kvnodes exited: {(exited.Count == 0 ? "none" : string.Join(", ", exited))}; burner iterations {Interlocked.Read(ref spins):N0}");
            Report.Figure("cluster.false_downings", downed, "count");
            Report.Figure("cluster.unreachable_events", unreachable, "count");
            return 0;
        }
        finally
        {
            stop.Cancel();
            if (observer is not null) await observer.DisposeAsync();
            foreach (var n in nodes) n.Dispose();
        }
    }

    private static (int Unreachable, int Downed, int ReachableAgain) Count(Observer observer)
    {
        var events = observer.Events.ToList();
        var unreachable = events.Count(e => e.Event is UnreachableMember);
        var reachable = events.Count(e => e.Event is ReachableMember);
        var downed = events.Where(e => e.Event is MemberDowned or MemberRemoved).Select(e => ((MemberEvent)e.Event).Member.UniqueAddress).Distinct().Count();
        return (unreachable, downed, reachable);
    }
}
