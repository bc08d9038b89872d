using KvActors.Client;
using System.Diagnostics;
using KvActors.TestKit;
using KvActors.TestKit.MultiNode;
using KvActors.TestKit.Store;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// A crashed and restarted replica on in-process store nodes (<see cref="InProcessStore"/>: 32 partitions, RF 3, three
/// nodes, so every node holds every partition and leads about a third), under writes from KvClients attached to the
/// surviving nodes.
/// </summary>
public sealed class ReplicaCrashSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private static readonly TimeSpan RecoveryDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(45));
    private static readonly TimeSpan ProgressDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(30));
    private static readonly TimeSpan AgreeDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(20));
    private const int WritesBeforeAndAfter = 5;

    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-replicaspec-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>
    /// Fault: a node that does not run the RingManager crashes while two clients write new keys continuously; later it
    /// is started again on the same port and data directory while the writes go on.
    /// Invariant: in every partition where it was a replica but not the primary, writes are accepted again by the same
    /// primary once the ring has dropped it from the in-sync set (the time is reported; a primary that a starved replica
    /// falsely suspected may have been replaced by another survivor, never by the crashed node); the restarted node recovers
    /// from its own storage and catches up from the primaries with the log since its commit point (no snapshot is
    /// installed: the primaries still hold that log), until it is an in-sync replica of every partition again; then
    /// every acknowledged write reads back (0 lost) and every in-sync replica, the restarted one included, holds what
    /// its primary acknowledged. A client that never polls (refresh interval 10 min) and sends nothing follows every
    /// ring change by the keepers' pushes alone.
    /// </summary>
    [Fact]
    public async Task After_a_replica_crashes_writes_continue_without_it_and_once_restarted_it_catches_up_from_the_log_and_agrees()
    {
        await using var store = new InProcessStore(Harness, _dataRoot);
        var nodes = store.StartCluster(3);
        var observer = nodes[0].Client; // n1: the oldest member, where the RingManager runs
        var before = await store.AwaitFullRingAsync(observer, "the first ring with every replica in sync");
        var victim = nodes[2];
        var followed = Enumerable.Range(0, store.Partitions).Where(p => before[p].Primary != victim.Id && before[p].IsInSync(victim.Id)).ToList();
        followed.Should().NotBeEmpty($"{victim} follows some partitions it does not lead: {StoreNodes.Describe(before)}");

        await using var follower = KvClient.Attach(nodes[1].Node.System, new KvClientOptions
        {
            Seeds = [nodes[0].Endpoint, nodes[1].Endpoint],
            SystemName = ClusterHarness.SystemName,
            RingRefreshInterval = TimeSpan.FromMinutes(10),
        });
        await InProcessStore.AwaitPushedAsync(follower, before.Epoch);

        var writers = nodes.Take(2).Select((n, i) => new FreshKeyWriter(n.Client, $"w{i}")).ToList();
        using var stop = new CancellationTokenSource();
        var running = writers.Select(w => w.RunAsync(stop.Token)).ToList();
        await FreshKeyWriter.AwaitProgressAsync(writers, 0, WritesBeforeAndAfter, ProgressDeadline, "before the crash");

        var crashedAt = Stopwatch.GetTimestamp();
        await store.CrashAsync(victim);
        var recovered = await new WriteRecovery(observer, followed.ToDictionary(p => p, p => store.KeysIn(p, "probe")[0])).AwaitAsync(crashedAt, RecoveryDeadline);
        Say($"{victim} crashed; the {followed.Count} partitions it followed took writes again: first after {Ms(recovered.Values.DefaultIfEmpty().Min())}, all after {Ms(recovered.Values.DefaultIfEmpty().Max())}.");
        recovered.Keys.Should().BeEquivalentTo(followed, "every partition the crashed node only followed must take writes again within the deadline");
        var without = await InProcessStore.AwaitRingAsync(observer, r => r.Partitions.All(s => !s.IsInSync(victim.Id)), $"a ring without {victim} in any in-sync set");
        // Only the silent replica is dropped: a partition keeps its primary, unless a replica starved on a loaded machine
        // suspected it (seen once at load 30), which costs one promotion of an in-sync survivor, never the crashed node.
        var moved = followed.Where(p => without[p].Primary != before[p].Primary).ToList();
        foreach (var p in moved)
            without[p].Primary.Should().Match<KvActors.Store.Partitioning.NodeId?>(n => n != null && n != victim.Id && before[p].IsInSync(n.Value),
                $"partition {p} may only have promoted one of its surviving in-sync replicas");
        if (moved.Count > 0) Say($"{moved.Count} of {followed.Count} partitions changed primary as well (a false suspicion under load): {string.Join(", ", moved)}.");
        await InProcessStore.AwaitPushedAsync(follower, without.Epoch);
        await FreshKeyWriter.AwaitProgressAsync(writers, Stopwatch.GetTimestamp(), WritesBeforeAndAfter, ProgressDeadline, "while the replica is down");

        var restartedAt = Stopwatch.StartNew();
        var restarted = store.Restart(victim);
        var full = await store.AwaitFullRingAsync(observer, $"a full ring with {restarted} back in sync in every partition");
        Say($"{restarted} restarted on its data directory; ring epoch {full.Epoch} full again after {restartedAt.Elapsed.TotalSeconds:0.0} s.");
        await InProcessStore.AwaitPushedAsync(follower, full.Epoch);
        (await restarted.StatsAsync()).SnapshotsInstalled.Should().Be(0, "the restarted node caught up from the log since its commit point, not from a snapshot");
        await FreshKeyWriter.AwaitProgressAsync(writers, Stopwatch.GetTimestamp(), WritesBeforeAndAfter, ProgressDeadline, "after the rejoin");
        await stop.CancelAsync();
        await Task.WhenAll(running);

        await AcknowledgedWrites.ShouldAllBeReadBackFromEveryReplicaAsync(observer, writers, AgreeDeadline, Say);
    }

    private void Say(string line) => Note($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { Directory.Delete(_dataRoot, recursive: true); }
    }
}
