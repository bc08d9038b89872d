using Akka.Actor;
using Google.Protobuf;
using KvActors.Storage.Engine;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Shards;

/// <summary>
/// <see cref="LocalShards"/>: the node's own ShardHost (at <c>/user/shards</c>) publishes the partition actors it runs,
/// so a front end in the process reaches them without the host. Single-node rings (RF 1) over an in-memory engine.
/// </summary>
public sealed class LocalShardsTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(KvActors.TestKit.TestKitSettings.LocalActorSystem, "local-shards", output)
{
    private const int Partitions = 4;
    private static readonly NodeId Self = new("127.0.0.1:4053");
    private static readonly NodeId Other = new("127.0.0.1:4054");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly Partitioner Partitioner = new(Partitions);

    private static RingState RingHolding(long epoch, params int[] held) => new(epoch, Partitions, 1,
        Enumerable.Range(0, Partitions).Select(p => new ReplicaSet([held.Contains(p) ? Self : Other], [])));

    private static byte[] KeyOf(int partition) =>
        Enumerable.Range(0, 1000).Select(i => System.Text.Encoding.UTF8.GetBytes($"k{i}")).First(k => Partitioner.PartitionOf(k) == partition);

    private IActorRef StartNodeHost(string name) =>
        Sys.ActorOf(ShardHost.Props(Self, new InMemoryStorageEngine(), CreateTestProbe().Ref, CreateTestProbe().Ref, new ShardSettings()), name);

    /// <summary>Publishes <paramref name="ring"/> until <paramref name="applied"/> holds (a host subscribes as it starts).</summary>
    private void Apply(RingState ring, Func<bool> applied) =>
        AwaitCondition(() =>
        {
            Sys.EventStream.Publish(new RingApplied(ring, null));
            return applied();
        }, Wait, TimeSpan.FromMilliseconds(50));

    /// <summary>Fault: none. Invariant: a request sent to the published actor is answered as through the host, and only held partitions have one.</summary>
    [Fact]
    public void The_node_host_publishes_the_actors_of_the_partitions_it_holds()
    {
        StartNodeHost(StoreHost.ShardsName);
        var shards = LocalShards.Get(Sys);
        Apply(RingHolding(1, 0, 1), () => shards.ShardOf(KeyOf(0)) is not null);

        var key = ByteString.CopyFrom(KeyOf(0));
        AwaitAssert(() =>
        {
            shards.ShardOf(KeyOf(0))!.Tell(new PutRequest { ClientId = "c", RequestId = 1, Key = key, Value = ByteString.CopyFromUtf8("v") });
            ExpectMsg<KvReply>(Wait).ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
        }, Wait);
        shards.ShardOf(KeyOf(0))!.Tell(new GetRequest { ClientId = "c", RequestId = 2, Key = key });
        ExpectMsg<KvReply>(Wait).ReadDone.Value.ToStringUtf8().Should().Be("v");
        shards.ShardOf(KeyOf(2)).Should().BeNull("partition 2 is held by another node");

        Apply(RingHolding(2, 0), () => shards.ShardOf(KeyOf(1)) is null);
        shards.ShardOf(KeyOf(0)).Should().NotBeNull("partition 0 is still held");
    }

    /// <summary>Fault: the host stops. Invariant: nothing is sent past a stopped host; another host (not the node's) publishes nothing.</summary>
    [Fact]
    public void Only_the_running_node_host_publishes()
    {
        var other = StartNodeHost("not-the-node-host");
        var shards = LocalShards.Get(Sys);
        var key = ByteString.CopyFrom(KeyOf(0));
        Apply(RingHolding(1, 0, 1, 2, 3), () =>
        {
            other.Tell(new GetRequest { ClientId = "c", RequestId = 1, Key = key });
            return ExpectMsg<KvReply>(Wait).ResultCase == KvReply.ResultOneofCase.ReadDone; // it serves: the ring is applied
        });
        shards.ShardOf(KeyOf(0)).Should().BeNull("only the host at /user/shards publishes");
        Sys.Stop(other);

        var host = StartNodeHost(StoreHost.ShardsName);
        Apply(RingHolding(1, 0, 1, 2, 3), () => shards.ShardOf(KeyOf(3)) is not null);
        Watch(host);
        Sys.Stop(host);
        ExpectTerminated(host, Wait);
        shards.ShardOf(KeyOf(3)).Should().BeNull();
    }
}
