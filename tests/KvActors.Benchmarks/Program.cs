using KvActors.Benchmarks;
using KvActors.Benchmarks.Cluster;
using KvActors.Benchmarks.Remote;
using KvActors.Benchmarks.Resp;
using KvActors.Benchmarks.Storage;
using KvActors.Benchmarks.Store;

// `./build.sh bench NAME [options]` lands here: one suite per name, each prints `name: value unit`
// lines (and `# ...` notes). tests/KvActors.Benchmarks/README.md describes every figure.
var suites = new (string Name, Func<string[], Task<int>> Run, string What)[]
{
    ("storage", StorageBenchmarks.RunAsync, "storage engine: WAL appends per fsync policy, recovery"),
    ("remote", RemoteBenchmarks.RunAsync, "Akka.Remote between two processes: tell throughput, round-trip latency"),
    ("cluster", ClusterBenchmarks.RunAsync, "cluster convergence (3/5/10 in-process nodes), SIGKILL of a kvnode to unreachable/removed"),
    ("cluster-soak", ClusterSoak.RunAsync, "3 kvnodes with both cores busy for --duration (default 10m): false downings"),
    ("resp", RespBenchmarks.RunAsync, "redis-benchmark SET/GET against redis-server, one RF-1 kvnode and three RF-3 kvnodes; ratios"),
    ("store", StoreBenchmarks.RunAsync, "3 kvnodes (RF 3) and 1 (RF 1) under a separate KvClient load process: put/get throughput and latency, failover after SIGKILL"),
};

if (args.Length > 0 && args[0] == RemoteBenchmarks.PeerCommand) return await RemoteBenchmarks.PeerAsync(args[1..]);
if (args.Length > 0 && args[0] == StoreLoad.Command)
{
    try { return await StoreLoad.RunAsync(args[1..]); }
    catch (UsageException e) { Console.Error.WriteLine($"{StoreLoad.Command}: {e.Message}"); return 2; }
}

var suite = args.Length == 0 ? default : suites.FirstOrDefault(s => s.Name.Equals(args[0], StringComparison.OrdinalIgnoreCase));
if (suite.Run is null)
{
    Console.Error.WriteLine(args.Length == 0 ? "Missing benchmark name. Benchmarks:" : $"Unknown benchmark '{args[0]}'. Benchmarks:");
    foreach (var s in suites) Console.Error.WriteLine($"  {s.Name,-13} {s.What}");
    Console.Error.WriteLine("Run one with `./build.sh bench NAME`; tests/KvActors.Benchmarks/README.md lists each figure, its options and its target.");
    return 2;
}
try
{
    return await suite.Run(args[1..]);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"{suite.Name}: {e.Message}");
    return 2;
}
