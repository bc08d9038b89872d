using System.Diagnostics;
using KvActors.Client;
using KvActors.TestKit;
using KvActors.TestKit.Linearizability;
using KvActors.TestKit.Processes;
using KvActors.TestKit.Store;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// The store on real kvnode processes (16 partitions, RF 3, fsync everysec by default), driven by real KvClients in
/// this process, with real faults: SIGKILL, restart on the same port and data directory, a node joining under load.
/// Every wait is for a condition with a generous deadline (stretched by KVACTORS_TEST_TIMEFACTOR); times are reported
/// in the test output, never asserted tightly.
/// </summary>
public sealed class StoreProcessSpecs(ITestOutputHelper output) : IDisposable
{
    /// <summary>From the SIGKILL until every partition the victim led accepts writes again: failure detection, failover, lease wait, client retries, on a loaded machine.</summary>
    private static readonly TimeSpan RecoveryDeadline = TestKitSettings.Dilated(TimeSpan.FromSeconds(45));

    /// <summary>How long the workload runs before a fault, and again after it, at least: enough acknowledged writes on both sides.</summary>
    private static readonly TimeSpan ProgressDeadline = TestKitSettings.Dilated(TimeSpan.FromSeconds(30));

    private const int WritesBeforeAndAfter = 5;

    private readonly ProcessGroup _processes = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose() => _processes.Dispose();

    /// <summary>
    /// Fault: SIGKILL of a node that is not the RingManager's host (so the ring manager itself stays up) and is primary of
    /// about a third of the partitions, while three KvClients each write new keys continuously and three more run
    /// put/get/delete on four shared keys (two of them in partitions the victim leads).
    /// Invariant: every partition the victim led accepts writes again (the time is reported); every write that was
    /// acknowledged reads back with its value afterwards (0 lost); the recorded history of the shared keys, final reads
    /// included, is linearizable (WGL checker).
    /// </summary>
    [Fact]
    public async Task After_a_primary_is_SIGKILLed_its_partitions_take_writes_again_no_acknowledged_write_is_lost_and_the_history_is_linearizable()
    {
        await using var cluster = await StoreNodes.StartAsync(_processes, 3);
        Say($"3 nodes up, ring epoch {cluster.Observer.Ring!.Epoch} full.");
        var oldest = await cluster.OldestMemberAsync();
        var ring = cluster.Observer.Ring!;
        List<int> Led(string node) => Enumerable.Range(0, ring.PartitionCount).Where(p => ring[p].Primary?.Value == node).ToList();
        // The non-oldest node leading the most partitions: on a loaded machine the ring may already have moved some
        // primaries (a backup that suspected its primary is promoted), so no particular node is sure to lead any.
        var victim = cluster.Nodes.Where(n => n.Address != oldest).MaxBy(n => Led(n.Address).Count)!;
        var led = Led(victim.Address);
        led.Should().NotBeEmpty($"{victim} leads some partitions in {StoreNodes.Describe(ring)}");

        var history = new HistoryRecorder();
        // Two shared keys in partitions the victim leads (their history spans the failover), two elsewhere.
        var elsewhere = Enumerable.Range(0, ring.PartitionCount).Except(led).ToList();
        string[] shared = [cluster.KeysIn(led[0], "reg")[0], cluster.KeysIn(led[^1], "reg-b")[0], cluster.KeysIn(elsewhere[0], "reg")[0], cluster.KeysIn(elsewhere[^1], "reg-b")[0]];
        var clients = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => cluster.ConnectAsync()));
        var writers = Enumerable.Range(0, 3).Select(c => new FreshKeyWriter(clients[c], $"w{c}")).ToList();
        var registers = Enumerable.Range(0, 3).Select(c => new RegisterWorkload(clients[3 + c], c + 1, shared, history, seed: 1000 + c)).ToList();
        using var stop = new CancellationTokenSource();
        var running = writers.Select(w => w.RunAsync(stop.Token)).Concat(registers.Select(r => r.RunAsync(stop.Token))).ToList();
        Say("6 clients connected and running.");
        await AwaitProgress(writers, since: 0, "before the kill");

        Say("writes acknowledged before the kill.");
        var killedAt = Stopwatch.GetTimestamp();
        cluster.Kill(victim);
        var recovery = new WriteRecovery(cluster.Observer, led.ToDictionary(p => p, p => cluster.KeysIn(p, "probe")[0]));
        var recovered = await recovery.AwaitAsync(killedAt, RecoveryDeadline);
        Say($"SIGKILL of {victim} (primary of {led.Count} of {ring.PartitionCount} partitions) -> writes accepted again: " +
            $"first partition after {Ms(recovered.Values.DefaultIfEmpty().Min())}, all after {Ms(recovered.Values.DefaultIfEmpty().Max())} (deadline {RecoveryDeadline.TotalSeconds:0} s).");
        recovered.Keys.Should().BeEquivalentTo(led, "every partition the victim led must take writes again within the deadline");

        await AwaitProgress(writers, Stopwatch.GetTimestamp(), "after the failover");
        await stop.CancelAsync();
        await Task.WhenAll(running);
        Say("workload stopped.");

        var acknowledged = writers.SelectMany(w => w.Acknowledged).ToDictionary(kv => kv.Key, kv => kv.Value);
        var lost = await ReadBack.MismatchesAsync(cluster.Observer, acknowledged);
        Say($"{acknowledged.Count} acknowledged new-key writes ({writers.Sum(w => w.Failures.Count)} given up by the clients), {lost.Count} not read back.");
        lost.Should().BeEmpty("no acknowledged write may be lost while fewer than RF nodes fail");

        var reader = new RegisterWorkload(cluster.Observer, 0, shared, history, seed: 0);
        foreach (var key in shared) await reader.RunAsync(key, KvOp.Get());
        var check = LinearizabilityChecker.Check(history.Snapshot(), new CheckOptions { TicksPerSecond = history.Clock.TicksPerSecond });
        Say($"Shared keys: {registers.Sum(r => r.Operations)} operations, {registers.Sum(r => r.Unknown)} with an unknown outcome. {check.Explanation}");
        check.Outcome.Should().Be(CheckOutcome.Linearizable, check.Explanation);
    }

    /// <summary>
    /// Fault: SIGKILL of the oldest member (the RingManager's host, and primary of about a third of the partitions) under
    /// continuous writes; once its partitions take writes again and more writes went in, a restart on the same port and
    /// data directory while the writes go on.
    /// Invariant: the restarted node rejoins and catches up: the ring gets back to every partition with all three replicas
    /// in sync and the restarted node among them; then every acknowledged write reads back from its primary (0 lost),
    /// and a replica read of every one of them from every in-sync replica agrees with the primary.
    /// </summary>
    [Fact]
    public async Task A_restarted_node_rejoins_catches_up_and_every_replica_agrees_with_its_primary()
    {
        await using var cluster = await StoreNodes.StartAsync(_processes, 3);
        Say($"3 nodes up, ring epoch {cluster.Observer.Ring!.Epoch} full.");
        var oldest = await cluster.OldestMemberAsync();
        var victim = cluster.Nodes.Single(n => n.Address == oldest);
        var ring = cluster.Observer.Ring!;
        var led = Enumerable.Range(0, ring.PartitionCount).Where(p => ring[p].Primary?.Value == victim.Address).ToList();

        var clients = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => cluster.ConnectAsync()));
        var writers = clients.Select((client, c) => new FreshKeyWriter(client, $"w{c}")).ToList();
        using var stop = new CancellationTokenSource();
        var running = writers.Select(w => w.RunAsync(stop.Token)).ToList();
        await AwaitProgress(writers, since: 0, "before the kill");

        var killedAt = Stopwatch.GetTimestamp();
        cluster.Kill(victim);
        var recovered = await new WriteRecovery(cluster.Observer, led.ToDictionary(p => p, p => cluster.KeysIn(p, "probe")[0])).AwaitAsync(killedAt, RecoveryDeadline);
        Say($"SIGKILL of {victim} (the RingManager's host, primary of {led.Count} partitions) -> all its partitions take writes again after {Ms(recovered.Values.DefaultIfEmpty().Max())}.");
        recovered.Keys.Should().BeEquivalentTo(led, "every partition the victim led must take writes again within the deadline");
        await AwaitProgress(writers, Stopwatch.GetTimestamp(), "while the victim is down");

        var restartedAt = Stopwatch.StartNew();
        var restarted = cluster.Restart(victim);
        var full = await cluster.AwaitFullRingAsync($"a full ring with {restarted} back in every partition it holds");
        Say($"{restarted} restarted; ring epoch {full.Epoch} full again (all replicas in sync, {full.Partitions.Count(s => s.IsInSync(new(restarted.Address)))} partitions on it) after {restartedAt.Elapsed.TotalSeconds:0.0} s.");
        await AwaitProgress(writers, Stopwatch.GetTimestamp(), "after the rejoin");
        await stop.CancelAsync();
        await Task.WhenAll(running);

        var acknowledged = writers.SelectMany(w => w.Acknowledged).ToDictionary(kv => kv.Key, kv => kv.Value);
        var lost = await ReadBack.MismatchesAsync(cluster.Observer, acknowledged);
        Say($"{acknowledged.Count} acknowledged writes, {lost.Count} not read back from their primaries.");
        lost.Should().BeEmpty("no acknowledged write may be lost while fewer than RF nodes fail");

        // A replica learns the commit point with the primary's next message (a heartbeat at the latest): allow it that long.
        var clock = Stopwatch.StartNew();
        var disagreements = await ReadBack.AwaitReplicasAgreeAsync(cluster.Observer,
            acknowledged.ToDictionary(kv => kv.Key, kv => (string?)kv.Value), TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
        Say($"Replica reads: {acknowledged.Count} keys x 3 in-sync replicas, {disagreements.Count} disagreements after {clock.Elapsed.TotalSeconds:0.0} s.");
        disagreements.Should().BeEmpty("every in-sync replica, the restarted one included, holds what its primary holds");
    }

    /// <summary>
    /// Fault: none: a fourth node joins a three-node cluster while three KvClients write new keys and read back keys they
    /// wrote earlier, continuously.
    /// Invariant: no request fails (beyond the client's own retries) and no read returns anything but the value
    /// acknowledged for its key; afterwards every acknowledged write reads back; the ring ends full over the four nodes
    /// with the new node holding in-sync replicas.
    /// </summary>
    [Fact]
    public async Task A_node_that_joins_under_load_gets_replicas_and_no_request_fails()
    {
        await using var cluster = await StoreNodes.StartAsync(_processes, 3);
        Say($"3 nodes up, ring epoch {cluster.Observer.Ring!.Epoch} full.");
        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => cluster.ConnectAsync()));
        var writers = clients.Select((client, c) => new FreshKeyWriter(client, $"w{c}")).ToList();
        using var stop = new CancellationTokenSource();
        var readers = writers.Select((writer, c) => ReadOwnWritesAsync(clients[c], writer, seed: c, stop.Token)).ToList();
        var running = writers.Select(w => w.RunAsync(stop.Token)).ToList();
        await AwaitProgress(writers, since: 0, "before the join");

        var joinedAt = Stopwatch.StartNew();
        var joined = cluster.Join("n4");
        var full = await cluster.AwaitFullRingAsync($"a full ring over four nodes with {joined}");
        var held = full.Partitions.Count(s => s.IsInSync(new(joined.Address)));
        var leads = full.Partitions.Count(s => s.Primary?.Value == joined.Address);
        Say($"{joined} joined; ring epoch {full.Epoch} full over 4 nodes after {joinedAt.Elapsed.TotalSeconds:0.0} s: it holds {held} in-sync replicas, {leads} as primary.");
        await AwaitProgress(writers, Stopwatch.GetTimestamp(), "after the rebalance");
        await stop.CancelAsync();
        await Task.WhenAll(running);
        var reads = await Task.WhenAll(readers);

        var failures = writers.SelectMany(w => w.Failures).Concat(reads.SelectMany(r => r.Problems)).ToList();
        var acknowledged = writers.SelectMany(w => w.Acknowledged).ToDictionary(kv => kv.Key, kv => kv.Value);
        Say($"{acknowledged.Count} acknowledged writes and {reads.Sum(r => r.Reads)} reads of them during the join; {failures.Count} failed or wrong.");
        failures.Should().BeEmpty("a join must not fail client requests beyond the client's retries");
        (await ReadBack.MismatchesAsync(cluster.Observer, acknowledged)).Should().BeEmpty("no acknowledged write may be lost in a rebalance");
        held.Should().BeGreaterThan(0, $"the new node must end up holding replicas: {StoreNodes.Describe(full)}");
    }

    /// <summary>Reads random keys the writer has had acknowledged until stopped; a failed read or another value is a problem.</summary>
    private static Task<(int Reads, List<string> Problems)> ReadOwnWritesAsync(KvClient client, FreshKeyWriter writer, int seed, CancellationToken stop) => Task.Run(async () =>
    {
        var random = new Random(seed);
        var problems = new List<string>();
        var reads = 0;
        try
        {
            await writer.FirstAcknowledged.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return (reads, problems); // stopped before any write was acknowledged: nothing to read back
        }
        while (!stop.IsCancellationRequested)
        {
            var (key, value) = writer.PickAcknowledged(random)!.Value;
            try
            {
                var read = await client.GetAsync(key);
                reads++;
                if (read != value) problems.Add($"{key}: read {(read is null ? "nothing" : $"'{read}'")}, acknowledged '{value}'");
            }
            catch (KvClientException e)
            {
                problems.Add($"{key}: the read failed ({e.Message})");
            }
        }
        return (reads, problems);
    });

    /// <summary>Waits until every writer has had <see cref="WritesBeforeAndAfter"/> writes acknowledged after the Stopwatch timestamp <paramref name="since"/>.</summary>
    private static Task AwaitProgress(IReadOnlyList<FreshKeyWriter> writers, long since, string when) =>
        Awaiting.AwaitConditionAsync(() => writers.All(w => w.AcknowledgedSince(since) >= WritesBeforeAndAfter), ProgressDeadline,
            () => $"Every writer should have had {WritesBeforeAndAfter} writes acknowledged {when}: {string.Join("; ", writers.Select(w => $"{w.Prefix} {w.AcknowledgedSince(since)} (failures: {string.Join(" | ", w.Failures.TakeLast(2))})"))}.",
            TimeSpan.FromMilliseconds(50));

    /// <summary>A line of the test output stamped with the time since the test started.</summary>
    private void Say(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";
}
