using System.Diagnostics;
using KvActors.Client;
using KvActors.TestKit;
using KvActors.TestKit.MultiNode;
using KvActors.TestKit.Store;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// A crashed primary on in-process store nodes (<see cref="InProcessStore"/>: 32 partitions, RF 3, three nodes), seen
/// by a client whose requests are already on their way to it.
/// </summary>
public sealed class PrimaryCrashSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private static readonly TimeSpan RequestDeadline = KvActors.TestKit.TestKitSettings.Dilated(TimeSpan.FromSeconds(30));

    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-primaryspec-").FullName;

    /// <summary>
    /// Fault: a node that leads some partitions (not the RingManager's host) is cut off from a client's node and then
    /// crashes, while the client has a write in flight to it for each partition it led.
    /// Invariant: each write is sent again to the partition's new primary as soon as the client is pushed the ring that
    /// promoted it, so it is acknowledged within the request's deadline although the client would wait 10 minutes for
    /// an unanswered attempt (and never polls for the ring); every acknowledged write then reads back.
    /// </summary>
    [Fact]
    public async Task Writes_in_flight_to_a_crashed_primary_go_to_its_successor_as_soon_as_the_client_has_the_new_ring()
    {
        await using var store = new InProcessStore(Harness, _dataRoot);
        var nodes = store.StartCluster(3);
        var observer = nodes[0].Client; // n1: the oldest member, where the RingManager runs
        var before = await store.AwaitFullRingAsync(observer, "the first ring with every replica in sync");
        var (sender, victim) = (nodes[1], nodes[2]);
        var led = Enumerable.Range(0, store.Partitions).Where(p => before[p].Primary == victim.Id).ToList();
        led.Should().NotBeEmpty($"{victim} leads some partitions: {StoreNodes.Describe(before)}");

        await using var client = KvClient.Attach(sender.Node.System, new KvClientOptions
        {
            Seeds = [nodes[0].Endpoint, sender.Endpoint],
            SystemName = ClusterHarness.SystemName,
            Timeout = RequestDeadline,
            AttemptTimeout = TimeSpan.FromMinutes(10),
            RingRefreshInterval = TimeSpan.FromMinutes(10),
        });
        await InProcessStore.AwaitPushedAsync(client, before.Epoch);

        await Harness.BlackholeAsync(sender.Node, victim.Node); // the writes below reach nobody, and no answer comes back
        var keys = led.ToDictionary(p => p, p => store.KeysIn(p, "in-flight")[0]);
        var clock = Stopwatch.StartNew();
        var writes = keys.Select(k => (Partition: k.Key, Key: k.Value, Write: client.PutAsync(k.Value, $"value-{k.Key}"))).ToList();
        // Other ring changes may come meanwhile (a starved replica reported silent on a loaded machine); what matters is
        // that the writes left for the victim, still these partitions' primary (a failover takes a lease's expiry).
        var ringAtSend = client.Ring!;
        led.Should().OnlyContain(p => ringAtSend[p].Primary == victim.Id, $"the writes left for {victim}, the primary in the client's ring (epoch {ringAtSend.Epoch})");
        await store.CrashAsync(victim);

        foreach (var (partition, key, write) in writes)
        {
            KvWriteResult result;
            try
            {
                result = await write;
            }
            catch (KvClientException e)
            {
                // The write waited for the dead node until its deadline. Say whether the partition had a successor at all:
                // with no in-sync replica but the victim left (both dropped as silent, e.g. starved on a loaded machine),
                // it cannot fail over, and the store rightly acknowledges nothing.
                throw new XunitException($"Partition {partition}'s write was not acknowledged ({e.Message}); the client's ring (epoch {client.RingEpoch}) has it {client.Ring?[partition]}, ring at send {ringAtSend[partition]}.");
            }
            result.Placement.Primary.Should().NotBe(victim.Id.Value, $"partition {partition}'s write was acknowledged by its new primary");
        }
        Note($"{writes.Count} writes in flight to {victim} were acknowledged by the new primaries {clock.Elapsed.TotalMilliseconds:0} ms after they were sent (ring epoch {client.RingEpoch}).");
        foreach (var (partition, key, _) in writes)
            (await observer.GetAsync(key)).Should().Be($"value-{partition}", $"the acknowledged write of {key} reads back");
    }

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { Directory.Delete(_dataRoot, recursive: true); }
    }
}
