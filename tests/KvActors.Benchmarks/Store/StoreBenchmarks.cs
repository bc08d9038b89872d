using System.Globalization;

using KvActors.Benchmarks.Cluster;

namespace KvActors.Benchmarks.Store;

/// <summary>
/// `./build.sh bench store`: the store end to end on real kvnode processes, driven by a separate load process
/// (<see cref="StoreLoad"/>) through KvClient. 16-byte keys, 100-byte values, fsync everysec.
/// <list type="bullet">
/// <item>3 kvnodes, RF 3: store.put_ops_per_s, store.get_ops_per_s and their p50/p99 latencies at --in-flight
/// requests outstanding (64).</item>
/// <item>the same 3 kvnodes: store.failover_ms_median/_max over --rounds SIGKILLs of a primary (<see cref="FailoverRounds"/>).</item>
/// <item>1 kvnode, RF 1: store.single_node_put_ops_per_s.</item>
/// </list>
/// </summary>
public static class StoreBenchmarks
{
    private const double PutTarget = 15_000, GetTarget = 30_000, P99TargetUs = 20_000, FailoverMedianTarget = 2_000, FailoverMaxTarget = 4_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Stats.IntOption(args, "--seconds", 10);
        var warmup = Stats.IntOption(args, "--warmup", 3);
        // Fresh kvnodes spend their first half minute compiling their hot paths (tiered JIT), which on 2 cores costs
        // more CPU than the load itself: the first phase runs that much longer before it counts.
        var settle = Stats.IntOption(args, "--settle", 30);
        var inFlight = Stats.IntOption(args, "--in-flight", 64);
        var keys = Stats.IntOption(args, "--keys", 100_000);
        var rounds = Stats.IntOption(args, "--rounds", 5);
        // This VM's speed drifts between runs by more than a change worth measuring: the cluster's figures are those of
        // the median of several load runs, one after the other.
        var loadRounds = Stats.IntOption(args, "--load-rounds", 3);
        var logs = StoreLoad.StringOption(args, "--logs");
        var loadDeadline = TimeSpan.FromSeconds(settle + 2 * (warmup + seconds) + 120); // per load run
        string[] LoadArgs(StoreCluster cluster, string ops, bool first = true) =>
        [
            "--seeds", cluster.Seeds, "--node-pids", string.Join(",", cluster.Nodes.Select(n => Text(n.Pid))), "--ops", ops, "--in-flight", Text(inFlight), "--seconds", Text(seconds), "--warmup", Text(warmup), "--settle", Text(first ? settle : 1), "--keys", Text(keys),
        ];
        // --set key=value (repeatable): more kvnode settings, for experiments; the figures' targets assume none.
        var extra = args.Select((a, i) => (a, i)).Where(x => x.a == "--set").Select(x => x.i + 1 < args.Length && args[x.i + 1].Contains('=')
            ? $"-D{args[x.i + 1]}" : throw new UsageException("--set needs key=value after it.")).ToList();
        string[] durability = ["-Dkvactors.storage.fsync=everysec", .. extra];
        Report.Note(HostSpeed.Describe("before") + " (figures from a loaded machine are not comparable)");
        Report.Note($"store: {BenchKeys.KeyBytes}-byte keys, {BenchKeys.ValueBytes}-byte values, fsync everysec, {inFlight} requests in flight, {warmup} s warm-up + {seconds} s per phase (the first phase {settle} s longer), key space {keys:N0}; reference.conf otherwise");

        if (!args.Contains("--skip-cluster"))
        {
            await using var cluster = await StoreCluster.StartAsync("rf3", 3, durability, logs);
            foreach (var n in cluster.Nodes) Report.Note($"kvnode: {n.CommandLine}");
            Report.Note($"3 kvnodes up, {StoreCluster.Describe(cluster.Client.Ring)}");
            if (!args.Contains("--skip-throughput"))
            {
                var runs = new List<LoadResult>();
                for (var round = 1; round <= loadRounds; round++)
                {
                    var results = await LoadRun.RunAsync(LoadArgs(cluster, "put,get", first: round == 1), loadDeadline);
                    foreach (var r in results) Note(r, round);
                    runs.AddRange(results);
                }
                var put = MedianRun(runs, "put");
                var get = MedianRun(runs, "get");
                Report.Note($"the figures below are the median run's of {loadRounds}: puts {Stats.Join(runs.Where(r => r.Op == "put").Select(r => Math.Round(r.OpsPerSecond)))}/s, gets {Stats.Join(runs.Where(r => r.Op == "get").Select(r => Math.Round(r.OpsPerSecond)))}/s");
                if (ClusterBenchmarks.Exited(cluster.Nodes) is { } why)
                    Report.Note($"WARNING: {why}: the figures below are not those of a 3-node cluster (a starved node is downed by the split-brain resolver).");
                var suspected = Logged(cluster, UnreachableMark);
                Report.Figure("store.unreachable_marks_under_load", suspected, "marks", Target("0", suspected == 0));
                if (suspected > 0)
                    Report.Note("WARNING: a node marked a member unreachable while nothing was killed: heartbeats came late under the load (see --logs).");
                Report.Figure("store.late_heartbeat_sends_under_load", Logged(cluster, LateHeartbeat), "warnings");
                Report.Figure("store.put_ops_per_s", put.OpsPerSecond, "ops/s", Target(">= 15,000", put.OpsPerSecond >= PutTarget));
                Report.Figure("store.get_ops_per_s", get.OpsPerSecond, "ops/s", Target(">= 30,000", get.OpsPerSecond >= GetTarget));
                Report.Figure("store.put_p50_us", put.P50Us, "us");
                Report.Figure("store.put_p99_us", put.P99Us, "us", Target("<= 20,000 us", put.P99Us <= P99TargetUs));
                Report.Figure("store.get_p50_us", get.P50Us, "us");
                Report.Figure("store.get_p99_us", get.P99Us, "us", Target("<= 20,000 us", get.P99Us <= P99TargetUs));
            }
            if (!args.Contains("--skip-failover"))
            {
                var failovers = await FailoverRounds.RunAsync(cluster, rounds);
                var all = failovers.Select(f => f.AllMs).ToList();
                Report.Note($"failover rounds: {Stats.Join(all)} ms (kill -> every partition of the victim accepts writes)");
                var median = Stats.Median(all);
                var max = all.Any(double.IsNaN) ? double.NaN : all.Max();
                Report.Figure("store.failover_ms_median", median, "ms", Target("<= 2,000 ms", median <= FailoverMedianTarget));
                Report.Figure("store.failover_ms_max", max, "ms", Target("<= 4,000 ms", max <= FailoverMaxTarget));
            }
        }

        if (!args.Contains("--skip-single"))
        {
            await using var single = await StoreCluster.StartAsync("rf1", 1, [.. durability, "-Dkvactors.store.replication-factor=1"], logs);
            Report.Note($"kvnode: {single.Nodes[0].CommandLine}");
            var put = (await LoadRun.RunAsync(LoadArgs(single, "put"), loadDeadline)).Single();
            Note(put);
            Report.Figure("store.single_node_put_ops_per_s", put.OpsPerSecond, "ops/s");
        }
        Report.Note(HostSpeed.Describe("after"));
        return 0;
    }

    /// <summary>The run of <paramref name="op"/> with the median rate (the lower middle one of an even count).</summary>
    private static LoadResult MedianRun(List<LoadResult> runs, string op)
    {
        var ordered = runs.Where(r => r.Op == op).OrderBy(r => r.OpsPerSecond).ToList();
        return ordered[(ordered.Count - 1) / 2];
    }

    private static void Note(LoadResult r, int? round = null)
    {
        var label = $"{(round is { } n ? $"round {n}, " : "")}{r.Op}";
        var otherShare = CpuTime.ShareOfMachine(r.OtherCpuSeconds, TimeSpan.FromSeconds(r.Seconds));
        Report.Note($"{label}: {r.Ops:N0} ops in {r.Seconds:0.#} s, p50 {r.P50Us:0} us, p99 {r.P99Us:0} us, max {r.MaxUs:0} us, CPU per op {r.CpuUsPerOp.Client:0} us in the load process + {r.CpuUsPerOp.Nodes:0} us in the kvnodes, {r.RequestsPerBatch:0.#} requests per client message and {r.RepliesPerBatch:0.#} answers per reply message, {r.Errors} errors{(r.Errors > 0 ? $" (first: {r.FirstError})" : "")}; other processes used {otherShare:P1} of the machine");
        if (otherShare > CpuTime.OtherShareLimit)
            Report.Note($"WARNING: {label}: other processes used {otherShare:P1} of the machine's CPU during the window: this run's figures are not comparable.");
    }

    /// <summary>
    /// Akka's line for a member the failure detector suspects. Before the failover rounds nothing was killed, so each is a
    /// heartbeat that came late: the nodes' default dispatcher threads, which carry the cluster's actors too, were backed
    /// up past the failure detector's acceptable pause.
    /// </summary>
    private const string UnreachableMark = "Marking node(s) as UNREACHABLE";

    /// <summary>
    /// Akka's warning that this node's own heartbeat tick came at least two heartbeat intervals late: the early sign of
    /// the same backlog, long before a peer's failure detector suspects the node. No target; 0 is best.
    /// </summary>
    private const string LateHeartbeat = "Scheduled sending of heartbeat was delayed";

    /// <summary>How many lines containing <paramref name="text"/> the nodes have logged so far.</summary>
    private static int Logged(StoreCluster cluster, string text) =>
        cluster.Nodes.Sum(n => n.Lines.Count(l => l.Line.Contains(text, StringComparison.Ordinal)));

    private static string Target(string text, bool met) => $"target {text}: {(met ? "met" : "MISSED")}";

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
