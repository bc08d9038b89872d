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
        var count = int.TryParse(Environment.GetEnvironmentVariable("KVACTORS_SIM_SEEDS"), out var c) ? c : 40;
        var seeds = one is not null ? [int.Parse(one)] : Enumerable.Range(1, count).ToArray();
        var failures = new List<string>();
        var sw = Stopwatch.StartNew();
        long steps = 0;
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
            if (one is not null)
                foreach (var d in sim.Decisions) output.WriteLine(d);
        }
        output.WriteLine($"{seeds.Length} seeds, {steps} steps ({steps / Math.Max(1, seeds.Length)} per seed), {sw.ElapsedMilliseconds} ms, {failures.Count} failed");
        failures.Should().BeEmpty($"failing seeds: {string.Join(", ", failures.Select(f => f.Split(' ')[2]))}\n{string.Join("\n\n", failures.Take(2))}");
    }
}
