using KvActors.Store.Tests.Replication.Simulation;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Replication;

public class ScratchSim(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        var steps = int.Parse(Environment.GetEnvironmentVariable("SIM_STEPS") ?? "2000");
        var seeds = int.Parse(Environment.GetEnvironmentVariable("SIM_SEEDS") ?? "200");
        var replicas = int.Parse(Environment.GetEnvironmentVariable("SIM_REPLICAS") ?? "3");
        SimulationRunner.RunSeeds(output, "Scratch", new SimulationOptions { Replicas = replicas, Steps = steps }, 1, seeds);
    }
}
