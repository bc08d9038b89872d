using System.Collections.Concurrent;
using System.Diagnostics;
using KvActors.Store.Tests.Replication.Simulation;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.Store.Tests.Ring;

/// <summary>
/// The ring's two-phase publication under concurrent managers, lost, late and duplicated messages, crashes, removals
/// and full cluster restarts (<see cref="RingPublicationSimulation"/>). Many fixed seeds; a failure names its seed,
/// and KVACTORS_SIM_SEED runs that one alone (KVACTORS_SIM_SCALE=k runs k times as many seeds). Once with the same five
/// members throughout, once with members downed, removed and rejoining.
/// </summary>
public sealed class RingPublicationSimulationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void No_two_rings_take_effect_at_one_epoch_and_the_epoch_survives_every_restart(bool membershipChanges)
    {
        var seeds = int.TryParse(Environment.GetEnvironmentVariable(SimulationRunner.SeedVariable), out var only)
            ? [only]
            : Enumerable.Range(1, 200 * Math.Max(1, int.TryParse(Environment.GetEnvironmentVariable(SimulationRunner.ScaleVariable), out var scale) ? scale : 1)).ToArray();
        var watch = Stopwatch.StartNew();
        var runs = new ConcurrentBag<RingPublicationSimulation>();
        var failures = new ConcurrentBag<(int Seed, string Message)>();
        Parallel.ForEach(seeds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var simulation = new RingPublicationSimulation(seed, membershipChanges, tracing: seeds.Length == 1);
            try
            {
                simulation.Run(faultyMs: 60_000);
                runs.Add(simulation);
            }
            catch (Exception e)
            {
                failures.Add((seed, e is InvariantViolation ? $"seed {seed}: {e.Message}" : $"seed {seed}: {e}"));
                if (seeds.Length == 1) output.WriteLine(simulation.Trace);
            }
        });
        output.WriteLine($"{seeds.Length} seeds of 60 virtual s in {watch.ElapsedMilliseconds:N0} ms: {runs.Sum(r => r.Chosen):N0} epochs chosen, " +
                         $"{runs.Sum(r => r.ManagersStarted):N0} managers, {runs.Sum(r => r.Supersessions):N0} supersessions, {runs.Sum(r => r.FullRestarts):N0} full restarts");
        if (!failures.IsEmpty)
        {
            foreach (var (_, message) in failures.OrderBy(f => f.Seed)) output.WriteLine(message);
            var first = failures.MinBy(f => f.Seed);
            throw new XunitException($"{failures.Count} of {seeds.Length} seeds failed. First: {first.Message}{Environment.NewLine}" +
                                     $"Replay: {SimulationRunner.SeedVariable}={first.Seed} dotnet test tests/KvActors.Store.Tests --filter FullyQualifiedName~RingPublicationSimulationTests");
        }
        runs.Sum(r => r.Chosen).Should().BeGreaterThan(seeds.Length * 5, "the faults must leave the managers room to publish rings");
    }
}
