using System.Diagnostics;
using Xunit.Abstractions;

namespace KvActors.Cluster.Tests.Simulation;

public sealed class ClusterSimulationTests(ITestOutputHelper output)
{
    /// <summary>Seeds per run; KVACTORS_SIM_SEED=n replays one seed, KVACTORS_SIM_SEEDS=n changes the count.</summary>
    [Fact]
    public void Random_schedules_with_delays_drops_duplicates_partitions_crashes_and_leaves_keep_the_invariants()
    {
        var one = Environment.GetEnvironmentVariable("KVACTORS_SIM_SEED");
        var count = int.TryParse(Environment.GetEnvironmentVariable("KVACTORS_SIM_SEEDS"), out var c) ? c : 100;
        var seeds = one is not null ? [int.Parse(one)] : Enumerable.Range(1, count).ToArray();
        var failures = new List<string>();
        var sw = Stopwatch.StartNew();
        long steps = 0;
        var crashToRemoved = new List<long>();
        var decisions = 0;
        var shutdowns = new Dictionary<string, int>();
        foreach (var seed in seeds)
        {
            var sim = new ClusterSimulation(seed);
            try
            {
                sim.Run();
            }
            catch (SimulationFailure f)
            {
                failures.Add(f.Message);
            }
            steps += sim.Steps;
            crashToRemoved.AddRange(sim.CrashToRemovedMs);
            decisions += sim.Decisions.Count;
            foreach (var n in sim.Nodes.Where(n => !n.Alive))
                shutdowns[n.ShutdownReason!] = shutdowns.GetValueOrDefault(n.ShutdownReason!) + 1;
            if (one is not null)
                foreach (var d in sim.Decisions) output.WriteLine(d);
        }
        crashToRemoved.Sort();
        if (crashToRemoved.Count > 0)
            output.WriteLine($"crash -> removed by every survivor (virtual ms): n={crashToRemoved.Count}, median {crashToRemoved[crashToRemoved.Count / 2]}, p90 {crashToRemoved[crashToRemoved.Count * 9 / 10]}, max {crashToRemoved[^1]}");
        output.WriteLine($"resolver decisions: {decisions}; nodes ended: {string.Join(", ", shutdowns.Select(kv => $"{kv.Key} {kv.Value}"))}");
        output.WriteLine($"{seeds.Length} seeds, {steps} steps ({steps / Math.Max(1, seeds.Length)} per seed), {sw.ElapsedMilliseconds} ms, {failures.Count} failed");
        failures.Should().BeEmpty($"failing seeds: {string.Join(", ", failures.Select(f => f.Split(' ')[2]))}\n{string.Join("\n\n", failures.Take(2))}");
    }
}
