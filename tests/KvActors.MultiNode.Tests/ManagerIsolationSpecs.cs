using System.Diagnostics;
using KvActors.TestKit;
using KvActors.TestKit.Linearizability;
using KvActors.TestKit.MultiNode;
using KvActors.TestKit.Store;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// The RingManager's own host cut off from the rest by the throttler (every link blackholed, both directions) on
/// in-process store nodes (<see cref="InProcessStore"/>: 32 partitions, RF 3, three nodes). The split-brain resolver is
/// slowed down (stable-after 60 s) so that the cut-off node stays a member, keeps running the singleton, and the links
/// can be healed. The manager there still sees every member reachable for the first seconds (Akka's failure detector is
/// slower than the replication layer), so its primaries' reports of silent replicas reach it: a ring that dropped them
/// would make the cut-off node the sole in-sync replica of its partitions, able to acknowledge writes the rest of the
/// cluster never sees. A ring takes effect only once a majority of the members has stored it, which the cut-off side is not.
/// </summary>
public sealed class ManagerIsolationSpecs(ITestOutputHelper output)
    : ClusterSpec(output, "akka.cluster.split-brain-resolver.stable-after = 60s")
{
    private static readonly TimeSpan ProgressDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(30));
    private static readonly TimeSpan AgreeDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(20));

    /// <summary>The cut-off node's client gives up after this long, so its attempts during the cut end before the heal.</summary>
    private static readonly TimeSpan CutOffClientTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Past the primaries' leases and the manager's report tick: by then a ring dropping the silent replicas would have been applied.</summary>
    private static readonly TimeSpan DropBound = TimeSpan.FromSeconds(2);

    private const int WritesBeforeAndAfter = 5;
    private const int CutOffClient = 3;

    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-managerisolationspec-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>
    /// Fault: every link between the RingManager's host (the oldest member, a primary too) and the two other nodes is
    /// blackholed while clients on the other nodes write new keys and a client on the cut-off node runs put/get/delete on
    /// two keys it leads; after a while the links are healed.
    /// Invariant: while cut off, the node acknowledges no write invoked after the cut (its manager's rings reach no
    /// majority, so no primary there drops its silent replicas), while the other two take writes again under a deputy
    /// manager (the singleton stays on the cut-off node); after the heal the ring is full again, every
    /// acknowledged write reads back (0 lost), every in-sync replica agrees with its primary, and the history of the
    /// shared keys is linearizable (WGL checker).
    /// </summary>
    [Fact]
    public async Task The_RingManagers_host_cut_off_from_the_rest_acknowledges_nothing_and_after_the_heal_nothing_is_lost()
    {
        await using var store = new InProcessStore(Harness, _dataRoot);
        var cut = store.Start("n1", clientTimeout: CutOffClientTimeout);
        Harness.AwaitMembersUp(1, [cut.Node]);
        var n2 = store.Start("n2", joinTo: cut.Node);
        var n3 = store.Start("n3", joinTo: cut.Node);
        Harness.AwaitMembersUp(3, [cut.Node, n2.Node, n3.Node]);
        var observer = n2.Client;
        var before = await store.AwaitFullRingAsync(observer, "the first ring with every replica in sync");
        var led = Enumerable.Range(0, store.Partitions).Where(p => before[p].Primary == cut.Id).ToList();
        led.Should().HaveCountGreaterThan(1, $"{cut} leads partitions: {StoreNodes.Describe(before)}");

        var history = new HistoryRecorder();
        string[] cutKeys = [store.KeysIn(led[0], "reg")[0], store.KeysIn(led[^1], "reg-b")[0]];
        var writers = new[] { n2, n3 }.Select((n, i) => new FreshKeyWriter(n.Client, $"w{i}")).ToList();
        var registers = new List<RegisterWorkload>
        {
            new(n2.Client, 1, cutKeys, history, seed: 3001),
            new(cut.Client, CutOffClient, cutKeys, history, seed: 3003),
        };
        using var stop = new CancellationTokenSource();
        var running = writers.Select(w => w.RunAsync(stop.Token)).Concat(registers.Select(r => r.RunAsync(stop.Token))).ToList();
        await FreshKeyWriter.AwaitProgressAsync(writers, 0, WritesBeforeAndAfter, ProgressDeadline, "before the cut");
        await Awaiting.AwaitConditionAsync(() => CutOffOps(history).Count(o => !o.IsUnknown) >= 3, ProgressDeadline,
            () => "The client on the node to be cut off should have had operations answered before the cut.");

        Harness.Partition([cut.Node], [n2.Node, n3.Node]);
        var cutAt = Stopwatch.GetTimestamp();
        Say($"{cut} (RingManager host, primary of {led.Count} of {store.Partitions} partitions) cut off from the other two.");

        // Every partition has a replica on the cut-off node, so no write commits on the other side until a manager there
        // drops it: the deputy (RingDeputy) on the next oldest node, acting while the singleton's host is unreachable.
        await FreshKeyWriter.AwaitProgressAsync(writers, Stopwatch.GetTimestamp(), WritesBeforeAndAfter, ProgressDeadline, "during the cut, under the deputy manager");
        Say($"the majority side takes writes again after {Stopwatch.GetElapsedTime(cutAt).TotalMilliseconds:0} ms.");

        // The cut-off node's client runs one operation at a time; three invoked after the drop bound means two of them
        // ran their whole course while a ring dropping the silent replicas would have been in force.
        var dropBound = cutAt + (long)(DropBound.TotalSeconds * Stopwatch.Frequency);
        await Awaiting.AwaitConditionAsync(() => CutOffOps(history).Count(o => o.InvokeTicks > dropBound) >= 3, ProgressDeadline,
            () => "The client on the cut-off node should have run operations after the drop bound.");
        var seenCut = history.Snapshot();
        Harness.HealAll();
        Say($"links healed after {Stopwatch.GetElapsedTime(cutAt).TotalMilliseconds:0} ms.");

        var cutOps = seenCut.Where(o => o.ClientId == CutOffClient && o.InvokeTicks > cutAt).ToList();
        Say($"while cut off, its own client invoked {cutOps.Count} operations, {cutOps.Count(o => !o.IsUnknown)} answered: {string.Join("; ", cutOps.Take(8).Select(o => o.Describe()))}");
        cutOps.Where(o => o.Op.Kind != OpKind.Get && !o.IsUnknown).Select(o => o.Describe()).Should()
            .BeEmpty("the RingManager's host, cut off from its replicas, acknowledges no write invoked after the cut");

        var full = await store.AwaitFullRingAsync(observer, $"a full ring with {cut} back in sync in every partition");
        Say($"after the heal: ring epoch {full.Epoch} full again.");
        await FreshKeyWriter.AwaitProgressAsync(writers, Stopwatch.GetTimestamp(), WritesBeforeAndAfter, ProgressDeadline, "after the heal");
        await stop.CancelAsync();
        await Task.WhenAll(running);

        var acknowledged = writers.SelectMany(w => w.Acknowledged).ToDictionary(kv => kv.Key, kv => kv.Value);
        var lost = await ReadBack.MismatchesAsync(observer, acknowledged);
        Say($"{acknowledged.Count} acknowledged new-key writes ({writers.Sum(w => w.Failures.Count)} given up by the clients), {lost.Count} not read back.");
        lost.Should().BeEmpty("no acknowledged write may be lost when the RingManager's host is cut off");

        var expected = (await ReadBack.PrimaryValuesAsync(observer, cutKeys)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (key, value) in acknowledged) expected[key] = value;
        var disagreements = await ReadBack.AwaitReplicasAgreeAsync(observer, expected, AgreeDeadline);
        disagreements.Should().BeEmpty("after the heal every in-sync replica agrees with its primary");

        var reader = new RegisterWorkload(observer, 0, cutKeys, history, seed: 0);
        foreach (var key in cutKeys) await reader.RunAsync(key, KvOp.Get());
        var check = LinearizabilityChecker.Check(history.Snapshot(), new CheckOptions { TicksPerSecond = history.Clock.TicksPerSecond });
        Say($"Shared keys: {registers.Sum(r => r.Operations)} operations, {registers.Sum(r => r.Unknown)} with an unknown outcome. {check.Explanation}");
        check.Outcome.Should().Be(CheckOutcome.Linearizable, check.Explanation);
    }

    private static List<Operation> CutOffOps(HistoryRecorder history) => history.Snapshot().Where(o => o.ClientId == CutOffClient).ToList();

    private void Say(string line) => Note($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { Directory.Delete(_dataRoot, recursive: true); }
    }
}
