using System.Diagnostics;
using KvActors.TestKit;
using KvActors.TestKit.Linearizability;
using KvActors.TestKit.MultiNode;
using KvActors.TestKit.Store;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// A primary cut off from the rest by the throttler (every link to it blackholed, both directions) on in-process store
/// nodes (<see cref="InProcessStore"/>: 32 partitions, RF 3, three nodes). The split-brain resolver is slowed down
/// (stable-after 60 s) so that the cut-off node stays a member and the links can be healed: a network blip shorter
/// than the resolver's patience, which the replication layer must ride out on its own.
/// When the cut-off node is the RingManager's host, the singleton stays there (Akka moves it only after removal), and
/// its manager still sees every member reachable for the first seconds (Akka's failure detector is slower than the
/// replication layer), so its primaries' reports of silent replicas reach it: a ring dropping them would make the
/// cut-off node the sole in-sync replica of its partitions, acknowledging writes the others never see. A ring takes
/// effect only once a majority has stored it, which that side is not; the others fail over under the deputy manager
/// (<see cref="KvActors.Store.Ring.RingDeputy"/>) of the next oldest node.
/// </summary>
public sealed class PrimaryIsolationSpecs(ITestOutputHelper output)
    : ClusterSpec(output, "akka.cluster.split-brain-resolver.stable-after = 60s")
{
    private static readonly TimeSpan RecoveryDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(45));
    private static readonly TimeSpan ProgressDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(30));
    private static readonly TimeSpan AgreeDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(20));

    /// <summary>The cut-off node's client gives up after this long, so its attempts during the cut end before the heal.</summary>
    private static readonly TimeSpan CutOffClientTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A primary's lease runs out 800 ms after it sent the last message a replica acknowledged (before the cut); a read
    /// it served just before that may reach its client on the same node a little later on a loaded machine.
    /// </summary>
    private static readonly TimeSpan LeaseBound = TimeSpan.FromSeconds(2);

    private const int WritesBeforeAndAfter = 5;
    private const int CutOffClient = 3;

    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-isolationspec-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>
    /// Fault: every link between a primary (the RingManager's host, or not) and the two other nodes is blackholed while
    /// clients on the other nodes write new keys and run put/get/delete on four shared keys (two in partitions the
    /// cut-off node leads), and a client on the cut-off node itself runs put/get/delete on the two keys it leads; once
    /// the others have failed over and taken more writes, the links are healed.
    /// Invariant: while cut off, the node acknowledges no write invoked after the cut and serves no read once its lease
    /// has run out (its client's attempts time out); the others take writes again in every partition it led; after the
    /// heal it is an in-sync replica of every partition again, every acknowledged write reads back (0 lost), every
    /// in-sync replica agrees with its primary on every key written (no divergence), and the recorded history of all
    /// five clients, final reads included, is linearizable (WGL checker).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_primary_cut_off_from_the_rest_acknowledges_nothing_the_others_fail_over_and_after_the_heal_nothing_diverges(bool managersHost)
    {
        await using var store = new InProcessStore(Harness, _dataRoot);
        // n1 is the oldest member: the RingManager runs there.
        var first = store.Start("n1", clientTimeout: managersHost ? CutOffClientTimeout : null);
        Harness.AwaitMembersUp(1, [first.Node]);
        var second = store.Start("n2", joinTo: first.Node);
        var third = store.Start("n3", joinTo: first.Node, clientTimeout: managersHost ? null : CutOffClientTimeout);
        Harness.AwaitMembersUp(3, [first.Node, second.Node, third.Node]);
        var (cut, n1, n2) = managersHost ? (first, second, third) : (third, first, second);
        var observer = n1.Client;
        var before = await store.AwaitFullRingAsync(observer, "the first ring with every replica in sync");
        var led = Enumerable.Range(0, store.Partitions).Where(p => before[p].Primary == cut.Id).ToList();
        led.Should().HaveCountGreaterThan(1, $"{cut} leads partitions: {StoreNodes.Describe(before)}");
        var elsewhere = Enumerable.Range(0, store.Partitions).Except(led).ToList();

        var history = new HistoryRecorder();
        string[] cutKeys = [store.KeysIn(led[0], "reg")[0], store.KeysIn(led[^1], "reg-b")[0]];
        string[] shared = [.. cutKeys, store.KeysIn(elsewhere[0], "reg")[0], store.KeysIn(elsewhere[^1], "reg-b")[0]];
        var writers = new[] { n1, n2 }.Select((n, i) => new FreshKeyWriter(n.Client, $"w{i}")).ToList();
        var registers = new List<RegisterWorkload>
        {
            new(n1.Client, 1, shared, history, seed: 2001),
            new(n2.Client, 2, shared, history, seed: 2002),
            new(cut.Client, CutOffClient, cutKeys, history, seed: 2003),
        };
        using var stop = new CancellationTokenSource();
        var running = writers.Select(w => w.RunAsync(stop.Token)).Concat(registers.Select(r => r.RunAsync(stop.Token))).ToList();
        await FreshKeyWriter.AwaitProgressAsync(writers, 0, WritesBeforeAndAfter, ProgressDeadline, "before the cut");
        await Awaiting.AwaitConditionAsync(() => CutOffOps(history).Count(o => !o.IsUnknown) >= 3, ProgressDeadline,
            () => "The client on the node to be cut off should have had operations answered before the cut.");

        await Harness.PartitionAsync([cut.Node], [n1.Node, n2.Node]);
        var cutAt = Stopwatch.GetTimestamp(); // every link is blackholed from here on
        Say($"{cut} (primary of {led.Count} of {store.Partitions} partitions{(managersHost ? ", RingManager host" : "")}) cut off from the other two.");

        var recovered = await new WriteRecovery(observer, led.ToDictionary(p => p, p => store.KeysIn(p, "probe")[0])).AwaitAsync(cutAt, RecoveryDeadline);
        Say($"the majority side took writes again in the partitions {cut.Name} led: first after {Ms(recovered.Values.DefaultIfEmpty().Min())}, all after {Ms(recovered.Values.DefaultIfEmpty().Max())}.");
        recovered.Keys.Should().BeEquivalentTo(led, "every partition the cut-off node led must take writes again on the majority side");
        await FreshKeyWriter.AwaitProgressAsync(writers, Stopwatch.GetTimestamp(), WritesBeforeAndAfter, ProgressDeadline, "after the failover");
        // The cut-off node's own client must have tried after the lease ran out, and given up: it runs one operation
        // at a time, so with three invoked after that moment the first two have ended.
        var leaseOver = cutAt + (long)(LeaseBound.TotalSeconds * Stopwatch.Frequency);
        await Awaiting.AwaitConditionAsync(() => CutOffOps(history).Count(o => o.InvokeTicks > leaseOver) >= 3, ProgressDeadline,
            () => "The client on the cut-off node should have run operations after its lease ran out.");

        var seenCut = history.Snapshot(); // everything answered before the heal
        var healAt = Stopwatch.GetTimestamp();
        await Harness.HealAllAsync();
        Say($"links healed after {Ms(Stopwatch.GetElapsedTime(cutAt, healAt))}.");
        var cutOps = seenCut.Where(o => o.ClientId == CutOffClient).ToList();
        cutOps.Where(o => o.Op.Kind != OpKind.Get && o.InvokeTicks > cutAt && !o.IsUnknown).Select(o => o.Describe()).Should()
            .BeEmpty("a node cut off from its replicas acknowledges no write invoked after the cut");
        cutOps.Where(o => o.Op.Kind == OpKind.Get && !o.IsUnknown && o.ResponseTicks > leaseOver).Select(o => o.Describe()).Should()
            .BeEmpty("a node cut off from its replicas serves no read once its lease has run out");
        Say($"while cut off, its own client invoked {cutOps.Count(o => o.InvokeTicks > cutAt)} operations: none was acknowledged.");

        var full = await store.AwaitFullRingAsync(observer, $"a full ring with {cut} back in sync in every partition");
        Say($"after the heal: ring epoch {full.Epoch} full again, {full.Partitions.Count(s => s.Primary == cut.Id)} partitions led by {cut.Name}.");
        await FreshKeyWriter.AwaitProgressAsync(writers, Stopwatch.GetTimestamp(), WritesBeforeAndAfter, ProgressDeadline, "after the heal");
        await stop.CancelAsync();
        await Task.WhenAll(running);

        var acknowledged = writers.SelectMany(w => w.Acknowledged).ToDictionary(kv => kv.Key, kv => kv.Value);
        var lost = await ReadBack.MismatchesAsync(observer, acknowledged);
        Say($"{acknowledged.Count} acknowledged new-key writes ({writers.Sum(w => w.Failures.Count)} given up by the clients), {lost.Count} not read back.");
        lost.Should().BeEmpty("no acknowledged write may be lost when one node is cut off");

        // Every key written, the shared and probe keys included (whatever the cut-off node prepared but never committed
        // there must be gone from it), as the primaries hold it now.
        var probes = led.Select(p => store.KeysIn(p, "probe")[0]);
        var expected = (await ReadBack.PrimaryValuesAsync(observer, shared.Concat(probes))).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (key, value) in acknowledged) expected[key] = value;
        var disagreements = await ReadBack.AwaitReplicasAgreeAsync(observer, expected, AgreeDeadline);
        Say($"Replica reads: {expected.Count} keys x 3 in-sync replicas, {disagreements.Count} disagreements.");
        disagreements.Should().BeEmpty("after the heal every in-sync replica, the once cut-off node included, agrees with its primary");

        var reader = new RegisterWorkload(observer, 0, shared, history, seed: 0);
        foreach (var key in shared) await reader.RunAsync(key, KvOp.Get());
        var check = LinearizabilityChecker.Check(history.Snapshot(), new CheckOptions { TicksPerSecond = history.Clock.TicksPerSecond });
        Say($"Shared keys: {registers.Sum(r => r.Operations)} operations, {registers.Sum(r => r.Unknown)} with an unknown outcome. {check.Explanation}");
        check.Outcome.Should().Be(CheckOutcome.Linearizable, check.Explanation);
    }

    private static List<Operation> CutOffOps(HistoryRecorder history) => history.Snapshot().Where(o => o.ClientId == CutOffClient).ToList();

    private void Say(string line) => Note($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { Directory.Delete(_dataRoot, recursive: true); }
    }
}
