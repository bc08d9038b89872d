using KvActors.Store.Tests.Replication.Simulation;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Replication;

/// <summary>
/// Seeded simulations of the replication protocol under crashes, restarts, partitions and a lossy network. Each test
/// prints its totals; a failure names the seed to replay with KVACTORS_SIM_SEED.
/// </summary>
public class ReplicationSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Three_replicas_keep_every_invariant_under_random_faults()
    {
        var reports = SimulationRunner.RunSeeds(output, nameof(Three_replicas_keep_every_invariant_under_random_faults),
            new SimulationOptions { Replicas = 3, Steps = 2_000 }, firstSeed: 1, seeds: 200);
        reports.Sum(r => r.AckedWrites).Should().BePositive();
    }
}
