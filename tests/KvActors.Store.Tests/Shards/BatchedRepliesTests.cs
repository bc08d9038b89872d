using Akka.Actor;
using RequestId = KvActors.Store.Replication.RequestId;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Tests.Shards;

/// <summary>When the ShardHost's gathered answers to batched requests are due to go back (pure bookkeeping, times given).</summary>
public sealed class BatchedRepliesTests
{
    private static readonly IActorRef ClientA = new FakeRef("a");
    private static readonly IActorRef ClientB = new FakeRef("b");

    private static KvReply Done(string client, long id) => new() { ClientId = client, RequestId = id, WriteDone = new WriteDone { Seq = id } };

    private static BatchedReplies WithWaiting(IActorRef client, string clientId, int count, long now = 0, long message = 1)
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20, maxHoldMs: 2);
        for (var i = 1; i <= count; i++) replies.Expect(new RequestId(clientId, i), client, now, message);
        return replies;
    }

    private static long[] Ids(KvReplyBatch batch) => batch.Replies.Select(r => r.RequestId).ToArray();

    [Fact]
    public void A_lone_request_is_answered_at_once()
    {
        var replies = WithWaiting(ClientA, "a", 1);
        replies.Answered(Done("a", 1), now: 0).Should().BeNull();

        var due = replies.TakeDue(now: 0);

        due.Should().ContainSingle().Which.Client.Should().Be(ClientA);
        replies.AnyGathered.Should().BeFalse();
    }

    [Fact]
    public void The_answers_to_one_message_go_back_together()
    {
        var replies = WithWaiting(ClientA, "a", 10);
        for (var i = 1; i <= 9; i++) replies.Answered(Done("a", i), now: 0);
        replies.TakeDue(now: 1).Should().BeEmpty("request 10 of the same message still waits, and none was held for 2 ms yet");

        replies.Answered(Done("a", 10), now: 1);

        Ids(replies.TakeDue(now: 1).Should().ContainSingle().Which.Batch).Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
        replies.Waiting.Should().Be(0);
    }

    [Fact]
    public void Answers_wait_for_older_messages_but_not_for_newer_ones()
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20, maxHoldMs: 2);
        replies.Expect(new RequestId("a", 1), ClientA, 0, message: 1);
        replies.Expect(new RequestId("a", 2), ClientA, 0, message: 1);
        replies.Expect(new RequestId("a", 3), ClientA, 0, message: 2);
        replies.Expect(new RequestId("a", 4), ClientA, 0, message: 3);

        replies.Answered(Done("a", 3), now: 0);
        replies.Answered(Done("a", 1), now: 0);
        replies.TakeDue(now: 1).Should().BeEmpty("request 2, of an older message than request 3's, still waits");

        replies.Answered(Done("a", 2), now: 1);

        Ids(replies.TakeDue(now: 1).Should().ContainSingle("request 4 came in a newer message: nothing waits for it").Which.Batch)
            .Should().Equal(3, 1, 2);
        replies.Waiting.Should().Be(1);
    }

    [Fact]
    public void The_hosts_own_answers_go_with_their_message()
    {
        var replies = WithWaiting(ClientA, "a", 1);
        replies.Add(ClientA, Done("a", 2), now: 0, message: 1); // e.g. NotPrimary for another request of the message
        replies.TakeDue(now: 1).Should().BeEmpty("request 1 of the same message still waits");

        replies.Answered(Done("a", 1), now: 1);

        Ids(replies.TakeDue(now: 1).Should().ContainSingle().Which.Batch).Should().Equal(2, 1);
    }

    [Fact]
    public void A_slow_request_holds_the_others_back_no_longer_than_the_hold_time()
    {
        var replies = WithWaiting(ClientA, "a", 10);
        replies.Answered(Done("a", 1), now: 100);
        replies.TakeDue(now: 101).Should().BeEmpty();

        replies.TakeDue(now: 102).Should().ContainSingle("held 2 ms");
        for (var i = 2; i <= 10; i++) replies.Answered(Done("a", i), now: 103);
        replies.TakeDue(now: 103).Should().ContainSingle("nothing else waits").Which.Batch.Replies.Should().HaveCount(9);
        replies.AnyGathered.Should().BeFalse();
    }

    [Fact]
    public void A_forgotten_or_renewed_request_no_longer_holds_answers_back()
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20, maxHoldMs: 2);
        replies.Expect(new RequestId("a", 1), ClientA, 0, message: 1);
        replies.Expect(new RequestId("a", 2), ClientA, 50, message: 1);
        replies.Expect(new RequestId("a", 3), ClientA, 50, message: 2);
        replies.Expect(new RequestId("a", 2), ClientA, 50, message: 3); // a retry renews the wait, in its new message
        replies.Answered(Done("a", 3), now: 50);
        replies.TakeDue(now: 50).Should().BeEmpty("request 1, of an older message, still waits");

        replies.ForgetOlderThan(10).Should().Be(1);

        Ids(replies.TakeDue(now: 50).Should().ContainSingle("the renewed request 2 now belongs to a newer message").Which.Batch).Should().Equal(3);
        replies.Answered(Done("a", 2), now: 50);
        replies.TakeDue(now: 50).Should().ContainSingle();
        replies.Waiting.Should().Be(0);
    }

    [Fact]
    public void Clients_are_answered_separately_and_duplicates_or_unknown_answers_are_dropped()
    {
        var replies = WithWaiting(ClientA, "a", 1);
        replies.Expect(new RequestId("b", 1), ClientB, 0, message: 2);

        replies.Answered(Done("b", 1), now: 0);
        replies.Answered(Done("b", 1), now: 0).Should().BeNull("a second answer to one request has nobody waiting");
        replies.Answered(Done("c", 9), now: 0).Should().BeNull();

        var due = replies.TakeDue(now: 0);
        due.Should().ContainSingle().Which.Client.Should().Be(ClientB);
        due[0].Batch.Replies.Should().ContainSingle();
        replies.Waiting.Should().Be(1, "client a still waits");
    }

    [Fact]
    public void A_batch_never_exceeds_its_byte_bound()
    {
        var replies = new BatchedReplies(maxBatchBytes: 1000, maxHoldMs: 2);
        var value = Google.Protobuf.ByteString.CopyFrom(new byte[400]);
        var full = new List<KvReplyBatch>();
        for (var i = 1; i <= 5; i++)
        {
            replies.Expect(new RequestId("a", i), ClientA, 0, message: 1);
            if (replies.Answered(new KvReply { ClientId = "a", RequestId = i, ReadDone = new ReadDone { Found = true, Value = value } }, 0) is { } batch)
                full.Add(batch.Batch);
        }
        full.AddRange(replies.TakeDue(0).Select(d => d.Batch));

        full.Sum(b => b.Replies.Count).Should().Be(5);
        full.Should().OnlyContain(b => b.CalculateSize() <= 1000);
    }

    [Fact]
    public void Forgotten_requests_no_longer_hold_answers_back()
    {
        var replies = WithWaiting(ClientA, "a", 5, now: 0);
        replies.Expect(new RequestId("a", 6), ClientA, 50, message: 2);
        replies.Answered(Done("a", 6), now: 50);
        replies.TakeDue(now: 50).Should().BeEmpty("5 requests of an older message still wait");

        replies.ForgetOlderThan(10).Should().Be(5);

        replies.TakeDue(now: 50).Should().ContainSingle();
    }

    private sealed class FakeRef(string name) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / name;

        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
