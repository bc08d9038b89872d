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
/// The ShardHost's handling of a client's <see cref="KvRequestBatch"/> on a local actor system: a single-node ring
/// (RF 1, so writes commit at once) over an in-memory engine, the test as the client.
/// </summary>
public sealed class ShardHostBatchTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(KvActors.TestKit.TestKitSettings.LocalActorSystem, "shardhost", output)
{
    private const int Partitions = 4;
    private static readonly NodeId Self = new("127.0.0.1:4053");
    private static readonly NodeId Other = new("127.0.0.1:4054");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly InMemoryStorageEngine _engine = new();

    /// <summary>A host over a ring in which this node holds the partitions in <paramref name="held"/> (alone) and <see cref="Other"/> the rest.</summary>
    private IActorRef StartHost(params int[] held)
    {
        var host = Sys.ActorOf(ShardHost.Props(Self, _engine, CreateTestProbe().Ref, CreateTestProbe().Ref, new ShardSettings()));
        var ring = new RingState(1, Partitions, 1,
            Enumerable.Range(0, Partitions).Select(p => new ReplicaSet([held.Contains(p) ? Self : Other], [])));
        // The host subscribes to RingApplied in PreStart: publish until it has applied the ring (it answers by it).
        AwaitAssert(() =>
        {
            Sys.EventStream.Publish(new RingApplied(ring, null));
            host.Tell(new KvRequestBatch { Requests = { Get(-1, KeyIn(0)) } });
            ExpectMsg<KvReplyBatch>(TimeSpan.FromMilliseconds(500)).Replies.Single().ResultCase
                .Should().NotBe(KvReply.ResultOneofCase.RetryLater, "the host has a ring");
        }, Wait);
        return host;
    }

    private static string KeyIn(int partition)
    {
        var partitioner = new Partitioner(Partitions);
        return Enumerable.Range(0, 10_000).Select(i => $"key-{i}").First(k => partitioner.PartitionOf(System.Text.Encoding.UTF8.GetBytes(k)) == partition);
    }

    private static KvRequest Put(long id, string key, string value) =>
        new() { Put = new PutRequest { ClientId = "c", RequestId = id, Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) } };

    private static KvRequest Get(long id, string key) => new() { Get = new GetRequest { ClientId = "c", RequestId = id, Key = ByteString.CopyFromUtf8(key) } };

    private static KvRequest Delete(long id, string key) => new() { Delete = new DeleteRequest { ClientId = "c", RequestId = id, Key = ByteString.CopyFromUtf8(key) } };

    /// <summary>Every answer to the requests numbered <paramref name="ids"/>, however the host split them into batches.</summary>
    private Dictionary<long, KvReply> Answers(params long[] ids)
    {
        var answers = new Dictionary<long, KvReply>();
        while (!ids.All(answers.ContainsKey))
            foreach (var reply in ExpectMsg<KvReplyBatch>(Wait).Replies.Where(r => r.RequestId > 0)) // not StartHost's probes
                answers.Add(reply.RequestId, reply); // throws on a second answer to one request
        return answers;
    }

    /// <summary>
    /// Fault: none. Invariant: every request of a batch, whatever its partition, is answered exactly as if it had been
    /// sent alone (writes committed, reads seeing them), back to the batch's sender.
    /// </summary>
    [Fact]
    public void Every_request_of_a_batch_is_answered_to_its_sender()
    {
        var host = StartHost(0, 1, 2, 3);

        host.Tell(new KvRequestBatch { Requests = { Put(1, KeyIn(0), "a"), Put(2, KeyIn(1), "b"), Put(3, KeyIn(2), "c"), Put(4, KeyIn(3), "d") } });
        var written = Answers(1, 2, 3, 4);
        written.Values.Should().OnlyContain(r => r.ResultCase == KvReply.ResultOneofCase.WriteDone);

        host.Tell(new KvRequestBatch { Requests = { Get(5, KeyIn(0)), Get(6, KeyIn(3)), Delete(7, KeyIn(1)), Get(8, "absent") } });
        var answers = Answers(5, 6, 7, 8);
        answers[5].ReadDone.Value.ToStringUtf8().Should().Be("a");
        answers[6].ReadDone.Value.ToStringUtf8().Should().Be("d");
        answers[7].WriteDone.Existed.Should().BeTrue();
        answers[8].ReadDone.Found.Should().BeFalse();
    }

    /// <summary>
    /// Fault: a batch mixes requests for partitions this node holds and one it does not. Invariant: the others are served;
    /// that one alone is answered NotPrimary with the ring's primary as hint.
    /// </summary>
    [Fact]
    public void A_request_for_a_partition_held_elsewhere_is_answered_not_primary_alone()
    {
        var host = StartHost(0, 1);

        host.Tell(new KvRequestBatch { Requests = { Put(1, KeyIn(0), "a"), Put(2, KeyIn(2), "b"), Put(3, KeyIn(1), "c") } });

        var answers = Answers(1, 2, 3);
        answers[1].ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
        answers[3].ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
        answers[2].ResultCase.Should().Be(KvReply.ResultOneofCase.NotPrimary);
        answers[2].NotPrimary.Hint.Should().Be(Other.Value);
    }

    /// <summary>
    /// Fault: a batch far larger than one reply batch may be (values near 1 MiB, so their answers overflow a reply batch of
    /// ShardSettings.MaxBatchBytes). Invariant: all are answered, split over several reply batches none of which exceeds the bound.
    /// </summary>
    [Fact]
    public void Answers_larger_than_one_reply_batch_are_split()
    {
        var host = StartHost(0, 1, 2, 3);
        var big = new string('v', 400_000);
        var keys = Enumerable.Range(0, 6).Select(i => $"big-{i}").ToList();
        host.Tell(new KvRequestBatch { Requests = { keys.Select((k, i) => Put(i + 1, k, big)) } });
        Answers(1, 2, 3, 4, 5, 6);

        host.Tell(new KvRequestBatch { Requests = { keys.Select((k, i) => Get(i + 11, k)) } });
        var batches = new List<KvReplyBatch>();
        while (batches.Sum(b => b.Replies.Count) < keys.Count)
            batches.Add(ExpectMsg<KvReplyBatch>(Wait));

        batches.Should().HaveCountGreaterThan(1);
        batches.Should().OnlyContain(b => b.CalculateSize() <= new ShardSettings().MaxBatchBytes + 1024);
        batches.SelectMany(b => b.Replies).Should().OnlyContain(r => r.ReadDone.Value.Length == big.Length);
    }
}
