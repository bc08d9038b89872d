using Akka.Actor;
using Google.Protobuf;
using KvActors.Storage.Engine;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Admin;
using KvActors.Store.Wire.Store;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Shards;

/// <summary>
/// <see cref="ScanRequest"/> and the primaries' key count at a ShardHost on a local actor system: a single-node ring
/// (RF 1, so writes commit at once) over an in-memory engine, the test as the client.
/// </summary>
public sealed class ShardHostScanTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(KvActors.TestKit.TestKitSettings.LocalActorSystem, "shardhost-scan", output)
{
    private const int Partitions = 4;
    private static readonly NodeId Self = new("127.0.0.1:4053");
    private static readonly NodeId Other = new("127.0.0.1:4054");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly Partitioner Partitioner = new(Partitions);
    private readonly InMemoryStorageEngine _engine = new();
    private long _nextId;

    /// <summary>A host over a ring in which this node holds the partitions in <paramref name="held"/> (alone) and <see cref="Other"/> the rest; returns once they serve.</summary>
    private IActorRef StartHost(params int[] held)
    {
        var host = Sys.ActorOf(ShardHost.Props(Self, _engine, CreateTestProbe().Ref, CreateTestProbe().Ref, new ShardSettings()));
        var ring = new RingState(1, Partitions, 1,
            Enumerable.Range(0, Partitions).Select(p => new ReplicaSet([held.Contains(p) ? Self : Other], [])));
        AwaitAssert(() =>
        {
            Sys.EventStream.Publish(new RingApplied(ring, null));
            foreach (var p in held)
                Scan(host, p, 0, 1).ResultCase.Should().Be(ScanReply.ResultOneofCase.Page, $"partition {p} serves");
        }, Wait);
        return host;
    }

    private ScanReply Scan(IActorRef host, int partition, ulong after, int count)
    {
        host.Tell(new ScanRequest { Partition = partition, After = after, Count = count });
        return ExpectMsg<ScanReply>(Wait);
    }

    private void Put(IActorRef host, string key)
    {
        host.Tell(new PutRequest { ClientId = "c", RequestId = ++_nextId, Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8("v") });
        ExpectMsg<KvReply>(Wait).ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
    }

    /// <summary>Fault: none. Invariant: paging through a partition at its primary returns each of its committed keys once.</summary>
    [Fact]
    public void Pages_of_a_primary_partition_return_each_committed_key_once()
    {
        var host = StartHost(0, 1);
        var keys = Enumerable.Range(0, 400).Select(i => $"k{i}").Where(k => Partitioner.PartitionOf(k) < 2).ToList();
        foreach (var key in keys) Put(host, key);

        foreach (var partition in new[] { 0, 1 })
        {
            var seen = new List<string>();
            ulong after = 0;
            do
            {
                var reply = Scan(host, partition, after, 7);
                reply.Partition.Should().Be(partition);
                reply.Page.Keys.Count.Should().BeLessThanOrEqualTo(7);
                seen.AddRange(reply.Page.Keys.Select(k => k.ToStringUtf8()));
                after = reply.Page.Next;
            }
            while (after != 0);
            seen.Should().BeEquivalentTo(keys.Where(k => Partitioner.PartitionOf(k) == partition));
        }
    }

    /// <summary>Fault: a scan asks a node for a partition it does not lead, or one that does not exist. Invariant: NotPrimary with the ring's primary, or a refusal.</summary>
    [Fact]
    public void A_partition_held_elsewhere_is_not_primary_and_one_that_does_not_exist_is_refused()
    {
        var host = StartHost(0, 1);

        var elsewhere = Scan(host, 2, 0, 10);
        elsewhere.ResultCase.Should().Be(ScanReply.ResultOneofCase.NotPrimary);
        elsewhere.NotPrimary.Hint.Should().Be(Other.Value);
        Scan(host, Partitions, 0, 10).Refused.Reason.Should().Be($"Partition {Partitions} does not exist: the ring has {Partitions} partitions.");
    }

    /// <summary>Fault: none. Invariant: the node's statistics count the keys of its primaries once (DBSIZE).</summary>
    [Fact]
    public void Store_stats_count_the_keys_of_the_primaries()
    {
        var host = StartHost(0, 1, 2, 3);
        foreach (var i in Enumerable.Range(0, 30)) Put(host, $"counted-{i}");

        host.Tell(new StoreStatsRequest { TimeoutMs = 5000 });
        var stats = ExpectMsg<StoreStatsReply>(Wait);
        stats.PrimaryKeys.Should().Be(30);
        stats.Keys.Should().Be(30);
    }
}
