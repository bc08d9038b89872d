using System.Diagnostics;
using System.Globalization;
using KvActors.Client;

namespace KvActors.Benchmarks.Store;

/// <summary>
/// The `store-load` verb: the store benchmark's load generator, run as a process of its own (the benchmark
/// executable started again) so its CPU and its KvClient's actor system are apart from the coordinator's. It
/// connects a <see cref="KvClient"/> to --seeds and, per phase in --ops (put, get), keeps --in-flight requests
/// outstanding for --warmup then --seconds seconds (the first phase --settle seconds longer); puts write keys 0, 1, 2... (mod --keys), gets read random keys
/// among those written. Each phase ends with one line on stdout that <see cref="LoadRun"/> parses:
/// <c>result OP ops=N seconds=S p50_us=X p99_us=Y errors=E first_error=...</c>.
/// </summary>
public static class StoreLoad
{
    public const string Command = "store-load";

    public static async Task<int> RunAsync(string[] args)
    {
        var seeds = HostPort.ParseList(StringOption(args, "--seeds") ?? throw new UsageException("--seeds host:port,... is required."));
        var inFlight = Stats.IntOption(args, "--in-flight", 64);
        var seconds = Stats.IntOption(args, "--seconds", 10);
        var warmup = Stats.IntOption(args, "--warmup", 3);
        var settle = args.Contains("--settle") ? Stats.IntOption(args, "--settle", 30) : 0;
        var keys = Stats.IntOption(args, "--keys", 100_000);
        var ops = (StringOption(args, "--ops") ?? "put,get").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ops.Any(o => o is not ("put" or "get"))) throw new UsageException("--ops takes put and/or get, comma-separated.");
        var nodePids = (StringOption(args, "--node-pids") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.TryParse(p, CultureInfo.InvariantCulture, out var pid) ? pid : throw new UsageException("--node-pids takes process ids, comma-separated.")).ToArray();

        await using var client = await KvClient.ConnectAsync(new KvClientOptions { Seeds = seeds, Timeout = TimeSpan.FromSeconds(10) });
        var value = BenchKeys.Value(seed: 1);
        long written = 0;
        // Keys whose last put failed (timed out: maybe never written), so a get finding nothing there is no data loss.
        var unacknowledged = new System.Collections.Concurrent.ConcurrentDictionary<long, bool>();
        foreach (var op in ops)
        {
            // The first phase also gives fresh nodes time to finish compiling their hot paths (tiered JIT).
            var phaseWarmup = warmup + (op == ops[0] ? settle : 0);
            Phase result;
            if (op == "put")
            {
                long next = -1;
                result = await RunPhase(inFlight, phaseWarmup, seconds, nodePids, () => client.Batching, async _ =>
                {
                    var i = Interlocked.Increment(ref next);
                    try
                    {
                        await client.PutAsync(BenchKeys.Key(i % keys), value);
                    }
                    catch (KvClientException)
                    {
                        unacknowledged[i % keys] = true;
                        throw;
                    }
                    unacknowledged.TryRemove(i % keys, out bool _);
                    InterlockedMax(ref written, Math.Min(i + 1, keys));
                });
            }
            else
            {
                var known = Math.Max(1, Interlocked.Read(ref written));
                result = await RunPhase(inFlight, phaseWarmup, seconds, nodePids, () => client.Batching, async random =>
                {
                    var key = random.NextInt64(known);
                    if (await client.GetAsync(BenchKeys.Key(key)) is null && Interlocked.Read(ref written) > 0 && !unacknowledged.ContainsKey(key))
                        throw new InvalidDataException($"key {key}, whose put was acknowledged, read back as not found");
                });
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"result {op} ops={result.Count} seconds={result.Seconds:0.###} p50_us={result.P50Us:0} p99_us={result.P99Us:0} max_us={result.MaxUs:0} cpu_client_s={result.ClientCpuSeconds:0.###} cpu_nodes_s={result.NodesCpuSeconds:0.###} cpu_other_s={result.OtherCpuSeconds:0.###} requests_per_batch={result.RequestsPerBatch:0.##} replies_per_batch={result.RepliesPerBatch:0.##} errors={result.Errors} first_error={result.FirstError ?? "none"}"));
        }
        return 0;
    }

    private sealed record Phase(long Count, double Seconds, double P50Us, double P99Us, double MaxUs, double ClientCpuSeconds, double NodesCpuSeconds, double OtherCpuSeconds, double RequestsPerBatch, double RepliesPerBatch, long Errors, string? FirstError);

    /// <summary>
    /// <paramref name="inFlight"/> workers each run <paramref name="operation"/> back to back. Operations that start
    /// after the warm-up and end before the window closes count (throughput and latency); a failed one counts as an
    /// error and is not timed. The CPU time this process and <paramref name="nodePids"/> used, and how the client batched
    /// its requests and received its answers, are taken over the window.
    /// </summary>
    private static async Task<Phase> RunPhase(int inFlight, int warmupSeconds, int seconds, int[] nodePids, Func<KvClientBatching> batching, Func<Random, Task> operation)
    {
        var start = Stopwatch.GetTimestamp();
        var windowStart = start + warmupSeconds * Stopwatch.Frequency;
        var windowEnd = windowStart + seconds * Stopwatch.Frequency;
        var cpu = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(warmupSeconds));
            var (client, nodes, processes, before) = (CpuTime.Seconds(Environment.ProcessId), CpuTime.Seconds(nodePids), CpuTime.AllProcesses(), batching());
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var after = batching();
            var window = new KvClientBatching(after.Requests - before.Requests, after.RequestBatches - before.RequestBatches,
                after.Replies - before.Replies, after.ReplyBatches - before.ReplyBatches);
            client = CpuTime.Seconds(Environment.ProcessId) - client;
            nodes = CpuTime.Seconds(nodePids) - nodes;
            // The benchmark that started this process (bench store; it watches the nodes) is part of the run, not other.
            var other = CpuTime.OthersSeconds(processes, CpuTime.AllProcesses(), CpuTime.ParentPid() is { } parent ? [.. nodePids, parent] : nodePids);
            return (client, nodes, other, window);
        });
        long errors = 0;
        string? firstError = null;
        var latencies = new List<long>[inFlight];
        var workers = Enumerable.Range(0, inFlight).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(1 << 16);
            var random = new Random(w);
            while (true)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= windowEnd) return;
                try
                {
                    await operation(random).ConfigureAwait(false);
                    var t1 = Stopwatch.GetTimestamp();
                    if (t0 >= windowStart && t1 <= windowEnd) mine.Add(t1 - t0);
                }
                catch (Exception e) when (e is KvClientException or InvalidDataException)
                {
                    if (Interlocked.Increment(ref errors) == 1) firstError = e.Message.Replace('\n', ' ');
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        var (clientCpu, nodesCpu, otherCpu, batched) = await cpu;
        var all = latencies.SelectMany(l => l).Select(t => Stats.Us(t)).ToList();
        return new Phase(all.Count, seconds, Stats.Percentile(all, 50), Stats.Percentile(all, 99), all.Count == 0 ? double.NaN : all.Max(), clientCpu, nodesCpu, otherCpu, batched.RequestsPerBatch, batched.RepliesPerBatch, errors, firstError);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    internal static string? StringOption(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0) return null;
        return i + 1 < args.Length ? args[i + 1] : throw new UsageException($"{name} needs a value.");
    }
}
