using KvActors.Benchmarks;
using KvActors.Benchmarks.Storage;

// `./build.sh bench NAME` lands here: one suite per layer, each prints `name: value unit` lines.
var suites = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["actors"] = KvActors.Benchmarks.Actors.ActorBenchmarks.RunAsync,
    ["storage"] = StorageBenchmarks.RunAsync,
    ["remote"] = KvActors.Benchmarks.Remote.RemoteActorBenchmarks.RunAsync,
    ["remote-transport"] = KvActors.Benchmarks.Remote.TransportBenchmarks.RunAsync,
    ["cluster"] = KvActors.Benchmarks.Cluster.ClusterBenchmarks.RunAsync,
    ["cluster-soak"] = KvActors.Benchmarks.Cluster.ClusterSoak.RunAsync,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"Unknown or missing benchmark name: choose one of {string.Join(", ", suites.Keys.Order())}.");
    return 2;
}
return await run(args[1..]);
