using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>
/// Runs many seeds of a simulation in parallel and fails with the first failing seed. With KVACTORS_SIM_SEED set, runs
/// only that seed, with the event trace printed on failure.
/// </summary>
public static class SimulationRunner
{
    public const string SeedVariable = "KVACTORS_SIM_SEED";

    /// <summary>Multiplies every test's seed count, for longer searches (e.g. 20 for a soak run).</summary>
    public const string ScaleVariable = "KVACTORS_SIM_SCALE";

    public static IReadOnlyList<SimulationReport> RunSeeds(ITestOutputHelper output, string test, SimulationOptions options, int firstSeed, int seeds)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var only))
            return [RunTraced(output, only, options)];

        if (int.TryParse(Environment.GetEnvironmentVariable(ScaleVariable), out var scale) && scale > 1)
            seeds *= scale;
        var watch = Stopwatch.StartNew();
        var reports = new ConcurrentBag<SimulationReport>();
        var failures = new ConcurrentBag<(int Seed, string Message)>();
        Parallel.For(firstSeed, firstSeed + seeds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            try
            {
                reports.Add(new Simulation(seed, options).Run());
            }
            catch (Exception e)
            {
                failures.Add((seed, e is InvariantViolation ? e.Message : $"seed {seed}: {e}"));
            }
        });
        output.WriteLine(
            $"{test}: {seeds} seeds, {reports.Sum(r => (long)r.Steps):N0} steps, {reports.Sum(r => r.VirtualMs) / 1000:N0} virtual s ({reports.Sum(r => r.FaultyMs) / 1000:N0} s with faults), " +
            $"{reports.Sum(r => r.AckedWrites):N0} acked writes, {reports.Sum(r => r.LeasedReads):N0} leased + {reports.Sum(r => r.StaleReads):N0} stale reads, " +
            $"{reports.Sum(r => r.FinalEpoch - 1):N0} reconfigurations ({reports.Sum(r => r.Promotions):N0} promotions), {reports.Sum(r => r.Crashes):N0} crashes, " +
            $"{reports.Sum(r => r.Isolations):N0} isolations, {reports.Sum(r => r.LinkCuts):N0} cuts, in {watch.ElapsedMilliseconds:N0} ms; " +
            string.Join(", ", reports.SelectMany(r => r.Counts).GroupBy(c => c.Key).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Sum(c => c.Value):N0}")));
        if (!failures.IsEmpty)
        {
            foreach (var (seed, message) in failures.OrderBy(f => f.Seed))
                output.WriteLine(message);
            var first = failures.MinBy(f => f.Seed);
            throw new XunitException(
                $"{failures.Count} of {seeds} seeds failed. First: {first.Message}{Environment.NewLine}" +
                $"Replay: {SeedVariable}={first.Seed} dotnet test tests/KvActors.Store.Tests --filter FullyQualifiedName~{test}");
        }
        return reports.OrderBy(r => r.Seed).ToArray();
    }

    private static SimulationReport RunTraced(ITestOutputHelper output, int seed, SimulationOptions options)
    {
        var simulation = new Simulation(seed, options, tracing: true);
        try
        {
            var report = simulation.Run();
            output.WriteLine($"{report with { Counts = new Dictionary<string, int>() }}");
            output.WriteLine(string.Join(", ", report.Counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));
            return report;
        }
        catch (Exception e)
        {
            output.WriteLine(simulation.TraceTail);
            var tail = simulation.TraceTail.Split(Environment.NewLine).TakeLast(80);
            throw new XunitException($"{e.Message}{Environment.NewLine}Last events (all in the test output):{Environment.NewLine}{string.Join(Environment.NewLine, tail)}");
        }
    }
}
