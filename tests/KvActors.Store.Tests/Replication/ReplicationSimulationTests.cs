using KvActors.Store.Tests.Replication.Simulation;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Replication;

/// <summary>
/// Seeded simulations of the replication protocol (see <see cref="Simulation"/> for the faults and
/// <see cref="HistoryChecker"/> for the invariants). Each test prints its totals; a failure names the seed, and
/// KVACTORS_SIM_SEED=n replays just that seed with its event trace.
/// </summary>
public class ReplicationSimulationTests(ITestOutputHelper output)
{
    private const int Steps = 10_000;

    private IReadOnlyList<SimulationReport> Run(string test, SimulationOptions options, int firstSeed, int seeds)
    {
        var reports = SimulationRunner.RunSeeds(output, test, options, firstSeed, seeds);
        // The runs must have done something for their silence to mean anything.
        reports.Sum(r => r.AckedWrites).Should().BePositive();
        reports.Sum(r => r.LeasedReads).Should().BePositive();
        return reports;
    }

    [Fact]
    public void Three_replicas_keep_every_invariant_under_crashes_partitions_and_a_lossy_network()
    {
        var reports = Run(nameof(Three_replicas_keep_every_invariant_under_crashes_partitions_and_a_lossy_network),
            new SimulationOptions { Replicas = 3, Steps = Steps }, firstSeed: 1, seeds: 200);
        reports.Sum(r => r.Promotions).Should().BePositive();
        reports.Sum(r => r.Counts.GetValueOrDefault("snapshot installed")).Should().BePositive();
        reports.Sum(r => r.Counts.GetValueOrDefault("log read")).Should().BePositive("returning replicas catch up from the log on disk too");
    }

    [Fact]
    public void Five_replicas_keep_every_invariant_under_crashes_partitions_and_a_lossy_network()
    {
        Run(nameof(Five_replicas_keep_every_invariant_under_crashes_partitions_and_a_lossy_network),
            // Ticks at every grid point: checks that the ticks a deadline-driven shell skips would have done nothing.
            new SimulationOptions { Replicas = 5, Clients = 4, Steps = Steps, TickOnDeadline = false }, firstSeed: 100_001, seeds: 100);
    }

    [Fact]
    public void Long_partitions_and_late_messages_never_leave_two_primaries_serving()
    {
        Run(nameof(Long_partitions_and_late_messages_never_leave_two_primaries_serving),
            new SimulationOptions
            {
                Replicas = 3, Steps = Steps, CrashChance = 0, IsolateChance = 0.25, LinkCutChance = 0.35, ManagerCutChance = 0.15,
                CutMaxMs = 3_000, ReorderRate = 0.1, ReorderExtraMs = 800, // messages late by up to 5 lease periods
            },
            firstSeed: 200_001, seeds: 100);
    }

    [Fact]
    public void Frequent_crashes_of_any_node_lose_no_acknowledged_write()
    {
        var reports = Run(nameof(Frequent_crashes_of_any_node_lose_no_acknowledged_write),
            new SimulationOptions
            {
                Replicas = 3, Steps = Steps, CrashChance = 0.5, IsolateChance = 0.05, LinkCutChance = 0.05,
                RestartMinMs = 10, RestartMaxMs = 600, DropRate = 0.01, TickOnDeadline = false,
            },
            firstSeed: 300_001, seeds: 100);
        reports.Sum(r => r.Crashes).Should().BeGreaterThan(reports.Count * 10);
    }

    [Fact]
    public void Promotions_with_more_committed_entries_than_one_batch_past_the_commit_point_lose_no_acknowledged_write()
    {
        // One entry per batch and more clients than usual: a promoted primary's prepared tail past its (lagging) commit
        // point takes several batches, and crashes and cuts interrupt that reconciliation after the first ones.
        var reports = Run(nameof(Promotions_with_more_committed_entries_than_one_batch_past_the_commit_point_lose_no_acknowledged_write),
            new SimulationOptions
            {
                Replicas = 3, Clients = 6, Steps = Steps, CrashChance = 0.35, IsolateChance = 0.1, LinkCutChance = 0.1,
                RestartMinMs = 10, RestartMaxMs = 600,
                Settings = SimulationOptions.ScaledSettings with { MaxBatchEntries = 1 },
            },
            firstSeed: 400_001, seeds: 300);
        reports.Sum(r => r.Promotions).Should().BePositive();
    }

    [Fact]
    public void The_production_ring_manager_loses_no_acknowledged_write_under_crashes_partitions_and_a_lossy_network()
    {
        // The RingManager's own logic configures the replicas: it fails a primary over once it has been unreachable for
        // the lease period plus its margin, or on an in-sync replica's suspicion, without revoking any lease first; it
        // downs members unreachable too long (they restart and rejoin as learners, recreating their replica from disk).
        var reports = Run(nameof(The_production_ring_manager_loses_no_acknowledged_write_under_crashes_partitions_and_a_lossy_network),
            new SimulationOptions { Replicas = 3, Steps = Steps, RingManager = true }, firstSeed: 500_001, seeds: 200);
        reports.Sum(r => r.Promotions).Should().BePositive();
        reports.Sum(r => r.Counts.GetValueOrDefault("downed")).Should().BePositive();
        reports.Sum(r => r.Counts.GetValueOrDefault("replica recreated")).Should().BePositive();
    }

    [Fact]
    public void The_production_ring_manager_keeps_every_invariant_with_five_replicas_and_frequent_crashes()
    {
        var reports = Run(nameof(The_production_ring_manager_keeps_every_invariant_with_five_replicas_and_frequent_crashes),
            new SimulationOptions
            {
                Replicas = 5, Clients = 4, Steps = Steps, RingManager = true, CrashChance = 0.4, IsolateChance = 0.15,
                RestartMinMs = 10, RestartMaxMs = 900,
            },
            firstSeed: 600_001, seeds: 100);
        reports.Sum(r => r.Promotions).Should().BePositive();
    }

    [Fact]
    public void The_production_ring_manager_never_leaves_two_primaries_serving_under_long_partitions_and_late_messages()
    {
        Run(nameof(The_production_ring_manager_never_leaves_two_primaries_serving_under_long_partitions_and_late_messages),
            new SimulationOptions
            {
                Replicas = 3, Steps = Steps, RingManager = true, CrashChance = 0, IsolateChance = 0.25, LinkCutChance = 0.35,
                ManagerCutChance = 0.15, CutMaxMs = 3_000, ReorderRate = 0.1, ReorderExtraMs = 800,
            },
            firstSeed: 700_001, seeds: 100);
    }

    [Fact]
    public void A_seed_replays_the_same_run()
    {
        var options = new SimulationOptions { Steps = 3_000 };
        var first = new Simulation.Simulation(42, options).Run();
        var second = new Simulation.Simulation(42, options).Run();
        (second with { Counts = first.Counts }).Should().Be(first);
        second.Counts.Should().Equal(first.Counts);
    }
}
