using System.Diagnostics;
using Akka.Actor;
using KvActors.Store.Replication;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Admin;
using KvActors.TestKit;
using KvActors.TestKit.MultiNode;
using KvActors.TestKit.Store;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// A replica restarted on the storage it kept, on in-process store nodes (<see cref="InProcessStore"/>: 4 partitions,
/// RF 3, three nodes, so every node holds every partition). Replicas snapshot every 1,000 commits, so the primaries' logs
/// no longer reach back to seq 1 when the node comes back: a replica that had lost its storage would need a snapshot.
/// </summary>
public sealed class KeptStorageSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private const int Partitions = 4;
    private const int SnapshotEvery = 1_000;
    private static readonly TimeSpan RecoveryDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(45));
    private static readonly TimeSpan ProgressDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(60));
    private static readonly TimeSpan AgreeDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(20));

    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-keptspec-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>
    /// Fault: six clients write new keys, well over two snapshot intervals per partition; then a node that does not run
    /// the RingManager crashes while one of them writes on, 1,200 writes past the ring dropping it (a few hundred per
    /// partition, under one snapshot interval); then it restarts on its port and data directory.
    /// Invariant: the ring first leaves the restarted node out of every partition and then adds it back as a learner;
    /// it keeps its storage meanwhile, and catches up from it with only the entries it missed: none of its replicas
    /// installs a snapshot. Every acknowledged write reads back (0 lost) and every replica, the restarted one included,
    /// holds what its primary acknowledged.
    /// </summary>
    [Fact]
    public async Task A_restarted_replica_catches_up_from_the_storage_it_kept_without_a_snapshot()
    {
        var shards = new ShardSettings { Replication = new ReplicationSettings { SnapshotEveryCommits = SnapshotEvery } };
        await using var store = new InProcessStore(Harness, _dataRoot, Partitions, shards: shards);
        var nodes = store.StartCluster(3);
        var observer = nodes[0].Client; // n1: the oldest member, where the RingManager runs
        var before = await store.AwaitFullRingAsync(observer, "the first ring with every replica in sync");
        var victim = nodes[2];

        var writers = Enumerable.Range(0, 6).Select(i => new FreshKeyWriter(nodes[i % 2].Client, $"w{i}")).ToList();
        using var stopMost = new CancellationTokenSource();
        using var stopRest = new CancellationTokenSource();
        var staying = writers.Take(1).ToList(); // only this one writes while the node is down
        var running = writers.Select((w, i) => w.RunAsync(i < staying.Count ? stopRest.Token : stopMost.Token)).ToList();
        // 6 x 1,500 writes over 4 partitions: about 2,250 commits each, beyond 2 snapshot intervals, so every primary's
        // log starts after seq 1 (its base is its previous snapshot's seq).
        await FreshKeyWriter.AwaitProgressAsync(writers, 0, 1_500, ProgressDeadline, "before the crash");

        // From the crash on one writer goes on: what a partition takes meanwhile stays under one snapshot interval (six
        // writers took up to about 1,250 a partition before the ring dropped the node), so at most one snapshot passes.
        await stopMost.CancelAsync();
        var crashedAt = Stopwatch.GetTimestamp();
        await store.CrashAsync(victim);
        await InProcessStore.AwaitRingAsync(observer, r => r.Partitions.All(s => !s.IsInSync(victim.Id)),
            $"a ring without {victim} in any in-sync set", RecoveryDeadline);
        // About 300 a partition after the drop: far more than the 64 committed entries a log in memory keeps anyway.
        await FreshKeyWriter.AwaitProgressAsync(staying, Stopwatch.GetTimestamp(), 1_200, ProgressDeadline, "while the replica is down");
        await stopRest.CancelAsync();
        await Task.WhenAll(running);
        var missed = writers.Sum(w => w.AcknowledgedSince(crashedAt));
        Say($"{victim} crashed; {missed} writes acknowledged without it (about {missed / Partitions} per partition, under the {SnapshotEvery} a primary's log keeps at least).");

        var restarted = store.Restart(victim);
        var full = await store.AwaitFullRingAsync(observer, $"a full ring with {restarted} back in sync in every partition");
        Say($"{restarted} restarted on its data directory; ring epoch {full.Epoch} full again.");
        // The observer's ring is full; the restarted node applies that ring, and its replicas adopt their roles, a moment later.
        var stats = await Awaiting.AwaitAsync(restarted.StatsAsync, s => s.Unanswered == 0 && s.Primaries + s.Replicas == Partitions, AgreeDeadline,
            s => $"{restarted} should hold every partition in sync again (ring epoch {full.Epoch}), but reports {s.Primaries} primaries, {s.Replicas} in-sync, {s.Learners} learners, {s.Unanswered} unanswered.");
        Say($"{restarted}: {stats.Primaries} primaries, {stats.Replicas} in-sync, {stats.Learners} learners, {stats.Keys} keys, {stats.SnapshotsInstalled} snapshots installed.");
        stats.SnapshotsInstalled.Should().Be(0, "it caught up from the storage it kept, with the entries it missed");

        await AcknowledgedWrites.ShouldAllBeReadBackFromEveryReplicaAsync(observer, writers, AgreeDeadline, Say);
        before.Epoch.Should().BeLessThan(full.Epoch);
    }

    private void Say(string line) => Note($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { Directory.Delete(_dataRoot, recursive: true); }
    }
}
