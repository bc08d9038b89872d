using System.Diagnostics;
using System.Globalization;
using KvActors.Benchmarks.Cluster;
using KvActors.Benchmarks.Store;

namespace KvActors.Benchmarks.Resp;

/// <summary>
/// `bench resp` (issue 10, section 5): redis-benchmark -t set,get -d 100 -r 100000 -c 50, with -P 16 and without,
/// against a redis-server started here (--save "" --appendonly no, and again with appendfsync everysec), one kvnode
/// with RF 1 and three kvnodes with RF 3 (redis-benchmark --cluster, so each request goes to its slot's primary).
/// Prints each ops/s, the server's CPU time per request (user + system, from /proc, summed over a cluster's nodes: steadier
/// than ops/s on a loaded machine) and the ratios to the plain redis-server. SET and GET run as separate redis-benchmark
/// calls, so each has its own CPU figure. Before its measured runs, every server gets an unmeasured warm-up (SET and GET,
/// --warmup N requests with -P 16 and a quarter of that without): a fresh kvnode spends its first seconds compiling its
/// hot paths (tiered JIT), which a redis-server never does, so without it the figures measured start-up as much as the
/// store (the store benchmark settles its nodes for the same reason). Options: --requests N (default 100000; the issue's
/// 1000000 takes long against the store), --warmup N (default 200000; 0 = none), --clients N (50), --only redis|single|cluster.
/// </summary>
public static class RespBenchmarks
{
    private static readonly string[] Tools = ["/usr/bin/redis-benchmark", "/usr/bin/redis-server", "/usr/bin/redis-cli"];

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = 100_000;
        var warmup = 200_000;
        var clients = 50;
        string? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--requests" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0: requests = n; i++; break;
                case "--warmup" when i + 1 < args.Length && int.TryParse(args[i + 1], out var w) && w >= 0: warmup = w; i++; break;
                case "--clients" when i + 1 < args.Length && int.TryParse(args[i + 1], out var c) && c > 0: clients = c; i++; break;
                case "--only" when i + 1 < args.Length: only = args[++i]; break;
                default: throw new UsageException($"unknown option '{args[i]}': use --requests N, --warmup N, --clients N, --only redis|single|cluster.");
            }
        }
        if (Tools.FirstOrDefault(t => !File.Exists(t)) is { } missing)
        {
            Console.Error.WriteLine($"resp: {missing} is not installed: `./build.sh bench resp` installs redis-tools and redis-server with apt-get where it can.");
            return 2;
        }
        Report.Note($"redis-benchmark -t set,get -n {requests} -d 100 -r 100000 -c {clients}, with -P 16 and without; {Version()}");
        Report.Note($"each server first warmed up, unmeasured: {warmup} requests of SET and of GET with -P 16, {warmup / 4} without");
        Report.Note(HostSpeed.Describe("before"));
        var results = new Dictionary<string, double>();
        if (only is null or "redis")
        {
            Measure(results, "redis", RedisServer(appendOnly: false));
            Measure(results, "redis_everysec", RedisServer(appendOnly: true));
        }
        if (only is null or "single") Measure(results, "single", KvNodes(1));
        if (only is null or "cluster") Measure(results, "cluster", KvNodes(3));
        foreach (var scenario in new[] { "single", "cluster" })
        foreach (var op in new[] { "set", "get" })
        foreach (var pipelined in new[] { false, true })
        {
            var suffix = pipelined ? ".pipelined" : "";
            if (!results.TryGetValue($"redis.{op}{suffix}", out var redis) || !results.TryGetValue($"{scenario}.{op}{suffix}", out var ours)) continue;
            var target = scenario == "single" ? 0.5 : 0.25;
            var ratio = ours / redis;
            Report.Figure($"resp.{scenario}.{op}_vs_redis{suffix}", ratio, "x", $"target >= {target}: {(ratio >= target ? "met" : "MISSED")}");
        }
        Report.Note(HostSpeed.Describe("after"));
        await Task.CompletedTask;
        return 0;

        void Measure(Dictionary<string, double> into, string name, Func<(int Port, bool Cluster, IDisposable Server, int[] Pids, int[] KvNodePorts)> start)
        {
            var (port, cluster, server, pids, kvNodePorts) = start();
            using (server)
            {
                if (warmup > 0)
                    foreach (var op in new[] { "set", "get" })
                    {
                        Benchmark(port, cluster, op, warmup, clients, 16);
                        Benchmark(port, cluster, op, warmup / 4, clients, 1);
                    }
                foreach (var pipeline in new[] { 1, 16 })
                {
                    foreach (var op in new[] { "set", "get" })
                    {
                        var pausedBefore = GcPauseMs(kvNodePorts);
                        var (cpuBefore, processes) = (CpuTime.Seconds(pids), CpuTime.AllProcesses());
                        var clock = Stopwatch.StartNew();
                        var rps = Benchmark(port, cluster, op, requests, clients, pipeline);
                        var elapsed = clock.Elapsed;
                        var cpu = CpuTime.Seconds(pids) - cpuBefore;
                        var otherShare = CpuTime.ShareOfMachine(CpuTime.OthersSeconds(processes, CpuTime.AllProcesses(), pids), elapsed);
                        var paused = GcPauseMs(kvNodePorts) - pausedBefore;
                        if (rps is null) continue;
                        var key = $"{name}.{op}{(pipeline > 1 ? ".pipelined" : "")}";
                        into[key] = rps.Value;
                        Report.Figure($"resp.{key}", rps.Value, "ops/s");
                        Report.Figure($"resp.{key}.cpu_per_op", cpu / requests * 1e6, "us");
                        if (kvNodePorts.Length > 0)
                            Report.Figure($"resp.{key}.gc_pause_share", 100 * paused / kvNodePorts.Length / elapsed.TotalMilliseconds, "%");
                        if (elapsed >= OtherCpuMinWindow && otherShare > CpuTime.OtherShareLimit)
                            Report.Note($"WARNING: resp.{key}: other processes used {otherShare:P1} of the machine's CPU during this run: its figures are not comparable.");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Shorter runs (pipelined ones, a fraction of a second) are not checked for other processes: CPU time is counted in
    /// 10-ms ticks, so one tick of any process would read as 2.5% of this machine in 0.2 s.
    /// </summary>
    private static readonly TimeSpan OtherCpuMinWindow = TimeSpan.FromSeconds(1);

    private static string Version() => Run("/usr/bin/redis-server", ["--version"], TimeSpan.FromSeconds(10)).Trim();

    /// <summary>
    /// The kvnodes' garbage-collection pauses since they started, summed (INFO memory, kvactors_gc_pause_total_ms): while
    /// a node collects, every one of its threads stands still.
    /// </summary>
    private static double GcPauseMs(int[] respPorts)
    {
        double total = 0;
        foreach (var port in respPorts)
        {
            var info = Run("/usr/bin/redis-cli", ["-p", $"{port}", "info", "memory"], TimeSpan.FromSeconds(10));
            var line = info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("kvactors_gc_pause_total_ms:", StringComparison.Ordinal));
            if (line is null || !double.TryParse(line[(line.IndexOf(':') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
                throw new InvalidOperationException($"127.0.0.1:{port} answered INFO memory without kvactors_gc_pause_total_ms: {info.Trim()}");
            total += ms;
        }
        return total;
    }

    private static Func<(int, bool, IDisposable, int[], int[])> RedisServer(bool appendOnly) => () =>
    {
        var port = KvNodeProcess.FreePort();
        var dir = Directory.CreateTempSubdirectory("kvactors-bench-redis-").FullName;
        string[] args = appendOnly
            ? ["--port", $"{port}", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", dir]
            : ["--port", $"{port}", "--save", "", "--appendonly", "no", "--dir", dir];
        var process = Process.Start(new ProcessStartInfo("/usr/bin/redis-server", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        AwaitReady(port, "PONG", "ping");
        return (port, false, new Stopper(() =>
        {
            // SIGTERM first (redis-server exits cleanly on it); SIGKILL only if it does not within 10 s.
            _ = SendSignal(process.Id, SigTerm);
            if (!process.WaitForExit(10_000)) process.Kill();
            process.WaitForExit(10_000);
            Directory.Delete(dir, recursive: true);
        }), [process.Id], []);
    };

    /// <summary>kvnodes with RESP on free ports; every node waits for all of them (min-nr-of-members), RF = their count.</summary>
    private static Func<(int, bool, IDisposable, int[], int[])> KvNodes(int count) => () =>
    {
        var akka = Enumerable.Range(0, count).Select(_ => KvNodeProcess.FreePort()).ToArray();
        var resp = Enumerable.Range(0, count).Select(_ => KvNodeProcess.FreePort()).ToArray();
        var root = Directory.CreateTempSubdirectory("kvactors-bench-resp-").FullName;
        var nodes = Enumerable.Range(0, count).Select(i => KvNodeProcess.Start($"resp-{i + 1}", akka[i], [akka[0]], Path.Combine(root, $"n{i + 1}"),
        [
            "--resp-port", $"{resp[i]}",
            $"-Dkvactors.store.replication-factor={count}",
            $"-Dkvactors.cluster.min-nr-of-members={count}",
        ])).ToList();
        var stop = new Stopper(() =>
        {
            foreach (var n in nodes) n.Dispose();
            Directory.Delete(root, recursive: true);
        });
        try
        {
            AwaitReady(resp[0], "cluster_state:ok", "cluster", "info");
            AwaitReady(resp[0], $"cluster_known_nodes:{count}", "cluster", "info");
        }
        catch
        {
            Report.Note($"kvnode did not get ready: {nodes[0].LastLines()}");
            stop.Dispose();
            throw;
        }
        return (resp[0], count > 1, stop, nodes.Select(n => n.Pid).ToArray(), resp);
    };

    private static void AwaitReady(int port, string expect, params string[] command)
    {
        var clock = Stopwatch.StartNew();
        while (!Run("/usr/bin/redis-cli", ["-p", $"{port}", .. command], TimeSpan.FromSeconds(10)).Contains(expect, StringComparison.Ordinal))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException($"127.0.0.1:{port} did not answer '{expect}' to {string.Join(' ', command)} within 90 s.");
            Thread.Sleep(250); // polling a process that is starting; a benchmark, not a test
        }
    }

    /// <summary>The ops/s redis-benchmark reports for <paramref name="op"/> (set or get); null when it printed none.</summary>
    private static double? Benchmark(int port, bool cluster, string op, int requests, int clients, int pipeline)
    {
        List<string> args = ["-p", $"{port}", "-t", op, "-n", $"{requests}", "-d", "100", "-r", "100000", "-c", $"{clients}", "-P", $"{pipeline}", "--csv"];
        if (cluster) args.Add("--cluster");
        var output = Run("/usr/bin/redis-benchmark", args, TimeSpan.FromMinutes(30));
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(',').Select(f => f.Trim().Trim('"')).ToArray();
            if (fields.Length >= 2 && fields[0].Equals(op, StringComparison.OrdinalIgnoreCase) && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rps))
                return rps;
        }
        Report.Note($"redis-benchmark printed no {op} figure: {output.Trim()}");
        return null;
    }

    private static string Run(string file, IEnumerable<string> args, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish within {limit}.");
        }
        return stdout.Result + stderr.Result;
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private sealed class Stopper(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }
}
