using System.Diagnostics;
using System.Text;
using KvActors.Client;
using KvActors.Storage;
using KvActors.TestKit;
using KvActors.TestKit.MultiNode;
using KvActors.TestKit.Store;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// The whole key space on in-process store nodes (<see cref="InProcessStore"/>, 32 partitions), through real
/// <see cref="KvClient"/>s attached to the nodes' own actor systems, with the product's default limits.
/// </summary>
public sealed class PartitionSweepSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-sweepspec-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Replicas learn the commit point with their primary's next message: how long they may take to agree.</summary>
    private static readonly TimeSpan AgreeDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(20));

    /// <summary>
    /// Fault: none; the cluster grows from one node to three (the first ring on one node, then two nodes join and become
    /// learners, then in-sync replicas of every partition). Invariant: on one node and again on three, a put, get, delete
    /// and get of one key in every partition answer as a register must (the value, existed, then nothing); a value of
    /// exactly kvactors.storage.max-value-size (1 MiB) is stored, replicated and read back whole; one byte more is refused
    /// at once with one sentence naming the setting; what was written on one node is on every replica once there are three.
    /// </summary>
    [Fact]
    public async Task Every_partition_serves_put_get_delete_on_one_node_and_on_three_and_a_value_at_the_limit_works_one_byte_over_is_refused()
    {
        await using var store = new InProcessStore(Harness, _dataRoot, minMembers: 1);
        var n1 = store.Start("n1");
        Harness.AwaitMembersUp(1, [n1.Node]);
        await store.AwaitFullRingAsync(n1.Client, "the first ring on one node");
        var kept = new Dictionary<string, string?>(StringComparer.Ordinal);

        await SweepAsync(store, n1.Client, "one", kept);
        await LimitsAsync(n1.Client, "big-one", kept);
        Say("one node: every partition answered put/get/delete; the value at the limit was stored, one byte over refused.");

        var n2 = store.Start("n2", joinTo: n1.Node);
        var n3 = store.Start("n3", joinTo: n1.Node);
        Harness.AwaitMembersUp(3, [n1.Node, n2.Node, n3.Node]);
        var full = await store.AwaitFullRingAsync(n1.Client, "a full ring over three nodes");
        Say($"three nodes: ring epoch {full.Epoch} has every partition on all three, in sync.");
        var agreeing = await ReadBack.AwaitReplicasAgreeAsync(n1.Client, kept, AgreeDeadline);
        agreeing.Should().BeEmpty("what was written on one node reaches both new replicas of every partition");

        await SweepAsync(store, n2.Client, "three", kept);
        await LimitsAsync(n3.Client, "big-three", kept);
        var disagreements = await ReadBack.AwaitReplicasAgreeAsync(n2.Client, kept, AgreeDeadline);
        Say($"three nodes: every partition answered put/get/delete; {kept.Count} keys x 3 replicas, {disagreements.Count} disagreements.");
        disagreements.Should().BeEmpty("every in-sync replica holds what its primary acknowledged");
    }

    /// <summary>In every partition at once: put, get, delete (existed), get (nothing), delete (did not exist), put again (kept for later checks).</summary>
    private static async Task SweepAsync(InProcessStore store, KvClient client, string prefix, Dictionary<string, string?> kept)
    {
        var keys = Enumerable.Range(0, store.Partitions).Select(p => (Partition: p, Key: store.KeysIn(p, prefix)[0])).ToList();
        var problems = await Task.WhenAll(keys.Select(async k =>
        {
            var (first, last) = ($"{k.Key}-first", $"{k.Key}-last");
            var written = await client.PutAsync(k.Key, first);
            if (written.Placement.Partition != k.Partition) return $"{k.Key}: written to partition {written.Placement.Partition}, expected {k.Partition}";
            if (await client.GetAsync(k.Key) is var read && read != first) return $"{k.Key}: read '{read}' after the put of '{first}'";
            if (!await client.DeleteAsync(k.Key)) return $"{k.Key}: the delete says the key did not exist";
            if (await client.GetAsync(k.Key) is { } ghost) return $"{k.Key}: read '{ghost}' after the delete";
            if (await client.DeleteAsync(k.Key)) return $"{k.Key}: a second delete says the key existed";
            await client.PutAsync(k.Key, last);
            return null;
        }));
        problems.Where(p => p is not null).Should().BeEmpty($"every partition of the {prefix} sweep answers as a register");
        foreach (var (_, key) in keys) kept[key] = $"{key}-last";
    }

    /// <summary>A value of exactly max-value-size is stored and read back whole, from the primary and every replica; one byte over is refused in one sentence.</summary>
    private static async Task LimitsAsync(KvClient client, string key, Dictionary<string, string?> kept)
    {
        var limit = new StorageSettings().MaxValueSize;
        var atLimit = new byte[limit];
        new Random(limit).NextBytes(atLimit);
        Array.Fill(atLimit, (byte)'a', 0, 16); // a readable head for failure messages
        var written = await client.PutAsync(Encoding.UTF8.GetBytes(key), atLimit);
        (await client.GetAsync(Encoding.UTF8.GetBytes(key))).Should().Equal(atLimit, $"a value of exactly {limit} bytes is stored whole");
        // Every replica holds it whole once it has heard the commit point (with the primary's next message).
        foreach (var replica in written.Placement.Replicas.Prepend(written.Placement.Primary!))
        {
            await Awaiting.AwaitAsync(() => client.ReadReplicaAsync(Encoding.UTF8.GetBytes(key), replica),
                read => read.Value.AsSpan().SequenceEqual(atLimit), AgreeDeadline,
                read => $"Expected the replica on {replica} to hold the {limit}-byte value whole within {AgreeDeadline.TotalSeconds:0} s; it holds {read.Value?.Length.ToString() ?? "no"} bytes.");
        }

        var over = async () => await client.PutAsync(Encoding.UTF8.GetBytes(key), new byte[limit + 1]);
        var refused = (await over.Should().ThrowAsync<KvClientException>()).Which;
        refused.Refused.Should().BeTrue("an oversized value is refused, not retried or timed out");
        refused.Message.Should().Contain("max-value-size").And.EndWith(".").And.NotContain("\n", "the error is one sentence naming the setting");
        (await client.GetAsync(Encoding.UTF8.GetBytes(key))).Should().Equal(atLimit, "the refused write changed nothing");

        // A small value from here on, so the later replica comparisons stay cheap.
        await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{key}-small"));
        kept[key] = $"{key}-small";
    }

    private void Say(string line) => Note($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {line}");

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { Directory.Delete(_dataRoot, recursive: true); }
    }
}
