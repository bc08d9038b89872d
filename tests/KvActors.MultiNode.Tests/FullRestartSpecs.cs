using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using KvActors.TestKit;
using KvActors.TestKit.Processes;
using KvActors.TestKit.Store;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// A whole cluster of real kvnode processes (32 partitions, RF 3) with fsync=always crashed at once and started again on
/// the same ports and data directories.
/// </summary>
public sealed class FullRestartSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ProgressDeadline = TestKitSettings.Dilated(TimeSpan.FromSeconds(30));

    /// <summary>Acknowledged writes each writer has before the crash: a few hundred in all, spread over every partition.</summary>
    private const int WritesPerWriter = 100;

    /// <summary>The RingManager's line for the first ring it forms after a restart: the highest epoch reported to it, and its own.</summary>
    private static readonly Regex FirstRingLine = new(@"First ring formed .* from the highest reported ring, epoch (?<reported>\d+) .*\): epoch (?<first>\d+),", RegexOptions.CultureInvariant);

    private readonly ProcessGroup _processes = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose() => _processes.Dispose();

    /// <summary>
    /// Fault: every node is SIGKILLed at once (frozen first, so none sees another go) while three clients write new keys
    /// continuously with fsync=always, then all are started again on their ports and data directories.
    /// Invariant: the cluster forms a full ring again whose first epoch is higher than any before the crash, and every
    /// write acknowledged before the crash (or by a client's retry after the restart) reads back with its value: with
    /// fsync=always an acknowledgement means the write is on the disk of every in-sync replica.
    /// </summary>
    [Fact]
    public async Task After_every_node_is_SIGKILLed_and_restarted_with_fsync_always_every_acknowledged_write_is_present()
    {
        await using var cluster = await StoreNodes.StartAsync(_processes, 3, partitions: 32, arguments: ["-Dkvactors.storage.fsync=always"]);
        Say($"3 nodes up with fsync=always, ring epoch {cluster.Observer.Ring!.Epoch} full.");
        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => cluster.ConnectAsync()));
        var writers = clients.Select((client, c) => new FreshKeyWriter(client, $"w{c}")).ToList();
        using var stop = new CancellationTokenSource();
        var running = writers.Select(w => w.RunAsync(stop.Token)).ToList();
        await WithNodeOutput(cluster, FreshKeyWriter.AwaitProgressAsync(writers, 0, WritesPerWriter, ProgressDeadline, "before the crash"));

        await cluster.Observer.RefreshRingAsync();
        var epochBefore = cluster.Observer.Ring!.Epoch;
        var acknowledgedBefore = writers.SelectMany(w => w.Acknowledged).ToDictionary(kv => kv.Key, kv => kv.Value);
        Say($"ring changes before the crash (RingManager's log): {RingChanges(cluster)}.");
        cluster.KillAll();
        Say($"every node SIGKILLed with {acknowledgedBefore.Count} writes acknowledged, in {acknowledgedBefore.Keys.Select(cluster.PartitionOf).Distinct().Count()} of {cluster.Partitions} partitions; the last ring seen had epoch {epochBefore}.");

        var restartedAt = Stopwatch.StartNew();
        await cluster.RestartAllAsync();
        var full = await cluster.AwaitRingAsync(r => r.Epoch > epochBefore && cluster.IsFull(r), $"a full ring above epoch {epochBefore} after the restart");
        Say($"all 3 restarted; ring epoch {full.Epoch} full after {restartedAt.Elapsed.TotalSeconds:0.0} s.");
        var firstRings = cluster.Nodes.SelectMany(n => n.Process.Lines).Select(l => FirstRingLine.Match(l.Text)).Where(m => m.Success).ToList();
        firstRings.Should().NotBeEmpty("the RingManager logs the first ring it forms after the restart");
        var first = long.Parse(firstRings[0].Groups["first"].Value, CultureInfo.InvariantCulture);
        Say($"the first ring after the restart: epoch {first}, from the highest saved ring, epoch {firstRings[0].Groups["reported"].Value}.");
        first.Should().BeGreaterThan(epochBefore, "the epoch never goes back, also across a full cluster restart");

        await stop.CancelAsync();
        await Task.WhenAll(running);
        var acknowledged = writers.SelectMany(w => w.Acknowledged).ToDictionary(kv => kv.Key, kv => kv.Value);
        acknowledged.Should().Contain(acknowledgedBefore, "a client's record of acknowledged writes only grows");
        var lost = await ReadBack.MismatchesAsync(cluster.Observer, acknowledged);
        Say($"{acknowledged.Count} acknowledged writes ({acknowledged.Count - acknowledgedBefore.Count} by retries after the restart, {writers.Sum(w => w.Failures.Count)} given up), {lost.Count} not read back.");
        lost.Should().BeEmpty("with fsync=always no acknowledged write is lost when every node crashes");
    }

    /// <summary>How many ring changes of each kind the nodes' RingManager logged: where the epochs went.</summary>
    private static string RingChanges(StoreNodes cluster)
    {
        string[] kinds = ["is silent in partition", "caught up in partition", "suspects", "Failover of"];
        var lines = cluster.Nodes.SelectMany(n => n.Process.Lines).Select(l => l.Text).ToList();
        return string.Join(", ", kinds.Select(k => $"'{k}' x {lines.Count(l => l.Contains(k, StringComparison.Ordinal))}"));
    }

    /// <summary>Awaits <paramref name="wait"/>; a failure carries the last lines of every node's output.</summary>
    private static async Task WithNodeOutput(StoreNodes cluster, Task wait)
    {
        try
        {
            await wait;
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n{string.Join("\n", cluster.Nodes.Select(n => $"--- {n} ---\n{n.Process.Tail(15)}"))}");
        }
    }

    private void Say(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");
}
