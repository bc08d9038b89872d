using Akka.Actor;
using RequestId = KvActors.Store.Replication.RequestId;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Tests.Shards;

/// <summary>How the ShardHost gathers the answers to batched requests per client until its next flush (pure bookkeeping, times given).</summary>
public sealed class BatchedRepliesTests
{
    private static readonly IActorRef ClientA = new FakeRef("a");
    private static readonly IActorRef ClientB = new FakeRef("b");

    private static KvReply Done(string client, long id) => new() { ClientId = client, RequestId = id, WriteDone = new WriteDone { Seq = id } };

    private static BatchedReplies WithWaiting(IActorRef client, string clientId, int count, long now = 0)
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20);
        for (var i = 1; i <= count; i++) replies.Expect(new RequestId(clientId, i), client, now);
        return replies;
    }

    private static long[] Ids(KvReplyBatch batch) => batch.Replies.Select(r => r.RequestId).ToArray();

    [Fact]
    public void Answers_in_by_the_flush_go_together_and_none_waits_for_the_rest_of_its_message()
    {
        var replies = WithWaiting(ClientA, "a", 3);
        replies.Answered(Done("a", 2)).Should().BeNull();
        replies.Answered(Done("a", 1)).Should().BeNull();

        var first = replies.TakeAll();

        Ids(first.Should().ContainSingle().Which.Batch).Should().Equal(2, 1);
        first[0].Client.Should().Be(ClientA);
        replies.TakeAll().Should().BeEmpty("what was taken is no longer gathered");
        replies.Waiting.Should().Be(1);
        replies.Answered(Done("a", 3));
        Ids(replies.TakeAll().Single().Batch).Should().Equal(3);
    }

    [Fact]
    public void The_hosts_own_answers_go_with_the_shards_answers()
    {
        var replies = WithWaiting(ClientA, "a", 1);
        replies.Add(ClientA, Done("a", 7));
        replies.Answered(Done("a", 1));

        Ids(replies.TakeAll().Single().Batch).Should().Equal(7, 1);
    }

    [Fact]
    public void Clients_are_answered_separately_and_duplicates_or_unknown_answers_are_dropped()
    {
        var replies = WithWaiting(ClientA, "a", 1);
        replies.Expect(new RequestId("b", 1), ClientB, 0);

        replies.Answered(Done("b", 1));
        replies.Answered(Done("b", 1)).Should().BeNull("a second answer to one request has nobody waiting");
        replies.Answered(Done("c", 9)).Should().BeNull();

        var all = replies.TakeAll();
        all.Should().ContainSingle().Which.Client.Should().Be(ClientB);
        all[0].Batch.Replies.Should().ContainSingle();
        replies.Waiting.Should().Be(1, "client a still waits");
    }

    [Fact]
    public void A_batch_never_exceeds_its_byte_bound()
    {
        var replies = new BatchedReplies(maxBatchBytes: 1000);
        var value = Google.Protobuf.ByteString.CopyFrom(new byte[400]);
        var full = new List<KvReplyBatch>();
        for (var i = 1; i <= 5; i++)
        {
            replies.Expect(new RequestId("a", i), ClientA, 0);
            if (replies.Answered(new KvReply { ClientId = "a", RequestId = i, ReadDone = new ReadDone { Found = true, Value = value } }) is { } batch)
                full.Add(batch.Batch);
        }
        full.AddRange(replies.TakeAll().Select(d => d.Batch));

        full.Sum(b => b.Replies.Count).Should().Be(5);
        full.Should().OnlyContain(b => b.CalculateSize() <= 1000);
    }

    [Fact]
    public void Requests_waited_for_too_long_are_forgotten_unless_a_retry_renewed_them()
    {
        var replies = WithWaiting(ClientA, "a", 3, now: 0);
        replies.Expect(new RequestId("a", 2), ClientA, 50); // a retry renews the wait

        replies.ForgetOlderThan(10).Should().Be(2);

        replies.Waiting.Should().Be(1);
        replies.Answered(Done("a", 1)).Should().BeNull("a forgotten request's late answer has nobody waiting");
        replies.Answered(Done("a", 2));
        Ids(replies.TakeAll().Single().Batch).Should().Equal(2);
    }

    private sealed class FakeRef(string name) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / name;

        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
