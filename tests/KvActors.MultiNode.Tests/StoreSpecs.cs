using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Google.Protobuf;
using KvActors.Storage;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Ring;
using KvActors.Store.Wire.Store;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// The data path on in-process nodes: each node starts the ring's actors (<see cref="RingHost.Start"/>) and then the
/// shard layer (<see cref="StoreHost.Start"/>) over its own data directory, as kvnode does. 32 partitions, RF 3, the
/// first ring waits for 3 members (so every replica starts in sync). Requests go straight to the partition's primary's
/// <c>/user/shards</c>, found from the ring, and are retried (same request id) on NotPrimary, RetryLater or silence
/// until a deadline, as a client does.
/// </summary>
public sealed class StoreSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private const int Partitions = 32;
    private const int Keys = 200;
    private static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(60);
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kvactors-storespec-").FullName;
    private long _requestIds;
    private Akka.TestKit.TestProbe? _probe;
    private RingState? _ring;

    private sealed record StoreNode(ClusterNode Node)
    {
        public NodeId Id => RingPaths.NodeIdOf(Node.Address);

        public override string ToString() => Node.ToString();
    }

    private StoreNode StartStoreNode(string name, ClusterNode? joinTo = null)
    {
        var node = Harness.StartNode(name, joinTo: joinTo);
        var dir = Path.Combine(_dataRoot, name);
        var proxy = RingHost.Start(node.System, new RingSettings
        {
            Partitions = Partitions,
            ReplicationFactor = 3,
            MinMembers = 3,
            FailoverAfter = TimeSpan.FromSeconds(1),
            LastRingTimeout = TimeSpan.FromSeconds(5),
            RepublishInterval = TimeSpan.FromSeconds(1),
            DataDir = dir,
        });
        StoreHost.Start(node.System, new StorageSettings { DataDir = dir }, proxy);
        return new StoreNode(node);
    }

    private List<StoreNode> StartStoreCluster()
    {
        var n1 = StartStoreNode("n1");
        Harness.AwaitMembersUp(1, [n1.Node]);
        var nodes = new List<StoreNode> { n1, StartStoreNode("n2", n1.Node), StartStoreNode("n3", n1.Node) };
        Harness.AwaitMembersUp(3, nodes.Select(n => n.Node));
        return nodes;
    }

    private RingState? KeeperRing(StoreNode n)
    {
        var probe = CreateTestProbe(n.Node);
        try
        {
            n.Node.System.ActorSelection(RingPaths.KeeperPath).Tell(new GetRing(), probe.Ref);
            return RingWire.FromProtoOrNull(probe.ExpectMsg<RingReply>(TimeSpan.FromSeconds(3)).Ring);
        }
        finally
        {
            n.Node.System.Stop(probe.Ref);
        }
    }

    private RingState AwaitRingOnAll(IReadOnlyList<StoreNode> nodes, Func<RingState, bool> condition, string what)
    {
        RingState? agreed = null;
        AwaitAssert(() =>
        {
            var rings = nodes.Select(KeeperRing).ToList();
            if (rings.Any(r => r is null || !condition(r)) || rings.Any(r => !r!.Equals(rings[0])))
                throw new XunitException($"expected {what} on every node; the keepers have epochs {string.Join(", ", rings.Select(r => r?.Epoch.ToString() ?? "none"))}.");
            agreed = rings[0];
        }, RingTimeout, TimeSpan.FromMilliseconds(200));
        return agreed!;
    }

    /// <summary>
    /// Sends a request to the primary of the key's partition (as the ring on <paramref name="client"/> names it), from a
    /// probe on <paramref name="client"/>, retrying the same request id until a final answer or the deadline.
    /// </summary>
    private KvReply Request(StoreNode client, IReadOnlyList<StoreNode> nodes, byte[] key, Func<long, IMessage> make)
    {
        var requestId = Interlocked.Increment(ref _requestIds);
        var message = make(requestId);
        _probe ??= CreateTestProbe(client.Node);
        var clock = Stopwatch.StartNew();
        string last = "no answer";
        while (clock.Elapsed < RequestDeadline)
        {
            var ring = _ring ??= KeeperRing(client);
            if (ring is not null && ring[new Partitioner(ring.PartitionCount).PartitionOf(key)].Primary is { } primary
                && nodes.FirstOrDefault(n => n.Id == primary) is { } target)
            {
                client.Node.System.ActorSelection(StoreHost.ShardsOf(target.Node.Address)).Tell(message, _probe.Ref);
                // Skip late answers to earlier requests (given up on after their wait).
                var answer = Answer(_probe, requestId, TimeSpan.FromSeconds(3));
                if (answer is null)
                    last = $"no answer from {primary}";
                else if (answer.ResultCase is KvReply.ResultOneofCase.WriteDone or KvReply.ResultOneofCase.ReadDone or KvReply.ResultOneofCase.Refused)
                {
                    if (clock.Elapsed > TimeSpan.FromSeconds(1))
                        Note($"request {requestId} took {clock.ElapsedMilliseconds} ms; before its answer: {last}");
                    return answer;
                }
                else
                    last = answer.ToString();
            }
            else
                last = $"no live primary in {ring?.ToString() ?? "no ring"}";
            _ring = null; // fetch the ring again before the retry
            Thread.Sleep(50); // the client's back-off before a retry
        }
        throw new XunitException($"Request {requestId} got no final answer within {RequestDeadline}: last {last}.");
    }

    /// <summary>The answer to <paramref name="requestId"/> within <paramref name="wait"/> (late answers to earlier requests skipped), or null.</summary>
    private static KvReply? Answer(Akka.TestKit.TestProbe probe, long requestId, TimeSpan wait)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < wait)
        {
            switch (probe.ReceiveOne(wait - clock.Elapsed))
            {
                case null:
                    return null;
                case KvReply reply when reply.RequestId == requestId:
                    return reply;
            }
        }
        return null;
    }

    private static byte[] KeyOf(int i) => Encoding.UTF8.GetBytes($"key-{i}");

    private static byte[] ValueOf(int i) => Encoding.UTF8.GetBytes($"value-{i}-{new string('x', i % 50)}");

    private KvReply Put(StoreNode client, IReadOnlyList<StoreNode> nodes, int i) =>
        Request(client, nodes, KeyOf(i), id => new PutRequest { ClientId = "spec", RequestId = id, Key = ByteString.CopyFrom(KeyOf(i)), Value = ByteString.CopyFrom(ValueOf(i)) });

    private KvReply Get(StoreNode client, IReadOnlyList<StoreNode> nodes, int i) =>
        Request(client, nodes, KeyOf(i), id => new GetRequest { ClientId = "spec", RequestId = id, Key = ByteString.CopyFrom(KeyOf(i)) });

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { Directory.Delete(_dataRoot, recursive: true); }
    }

    /// <summary>
    /// Fault: a node that does not run the RingManager crashes after 200 acknowledged writes spread over every
    /// partition. Invariant: before the crash every acknowledged key reads back its value from its primary; after the
    /// failover (and the silent replica's removal from the in-sync sets) every acknowledged key is still readable, with
    /// its value, from the new primaries: no acknowledged write is lost while fewer than RF nodes fail.
    /// </summary>
    [Fact]
    public async Task Acknowledged_writes_survive_the_crash_of_a_node()
    {
        var nodes = StartStoreCluster();
        var ring = AwaitRingOnAll(nodes, r => r.Epoch >= 1 && r.Partitions.All(s => s.InSync.Length == 3 && s.Learners.IsEmpty),
            "a ring with every replica in sync");
        var client = nodes[0];
        var partitioner = new Partitioner(ring.PartitionCount);
        Enumerable.Range(0, Keys).Select(i => partitioner.PartitionOf(KeyOf(i))).Distinct().Count()
            .Should().Be(Partitions, "the keys cover every partition");

        var acknowledged = new List<int>();
        for (var i = 0; i < Keys; i++)
        {
            var reply = Put(client, nodes, i);
            reply.ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone, $"key {i}: {reply}");
            acknowledged.Add(i);
        }
        foreach (var i in acknowledged)
        {
            var reply = Get(client, nodes, i);
            reply.ResultCase.Should().Be(KvReply.ResultOneofCase.ReadDone, $"key {i}: {reply}");
            reply.ReadDone.Value.ToByteArray().Should().Equal(ValueOf(i), $"key {i} reads back what was written");
        }

        var crashed = nodes[2];
        var survivors = nodes.Take(2).ToList();
        await Harness.CrashAsync(crashed.Node);
        var after = AwaitRingOnAll(survivors, r => r.Partitions.All(s => s.Primary != crashed.Id), $"a ring where the crashed {crashed.Id} leads nothing");
        Note($"after the crash: {after}");

        var clock = Stopwatch.StartNew();
        foreach (var i in acknowledged)
        {
            var reply = Get(client, survivors, i);
            reply.ResultCase.Should().Be(KvReply.ResultOneofCase.ReadDone, $"key {i}: {reply}");
            reply.ReadDone.Found.Should().BeTrue($"acknowledged key {i} survives the crash");
            reply.ReadDone.Value.ToByteArray().Should().Equal(ValueOf(i), $"key {i} keeps its acknowledged value");
        }
        Note($"all {acknowledged.Count} acknowledged keys read back after the failover in {clock.ElapsedMilliseconds} ms");
    }
}
