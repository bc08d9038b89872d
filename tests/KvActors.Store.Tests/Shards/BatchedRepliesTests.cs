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

    private static BatchedReplies WithWaiting(IActorRef client, string clientId, int count, long now = 0)
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20, maxHoldMs: 2);
        for (var i = 1; i <= count; i++) replies.Expect(new RequestId(clientId, i), client, now);
        return replies;
    }

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
    public void Answers_wait_until_at_least_as_many_are_gathered_as_still_wait()
    {
        var replies = WithWaiting(ClientA, "a", 10);
        for (var i = 1; i <= 4; i++) replies.Answered(Done("a", i), now: 0);
        replies.TakeDue(now: 1).Should().BeEmpty("4 gathered, 6 still waiting, and none held for 2 ms yet");

        replies.Answered(Done("a", 5), now: 1);
        var due = replies.TakeDue(now: 1);

        due.Should().ContainSingle().Which.Batch.Replies.Select(r => r.RequestId).Should().Equal(1, 2, 3, 4, 5);
        replies.Waiting.Should().Be(5);
    }

    [Fact]
    public void A_slow_request_holds_the_others_back_no_longer_than_the_hold_time()
    {
        var replies = WithWaiting(ClientA, "a", 10);
        replies.Answered(Done("a", 1), now: 100);
        replies.TakeDue(now: 101).Should().BeEmpty();

        replies.TakeDue(now: 102).Should().ContainSingle("held 2 ms");
    }

    private static KvReply Read(string client, long id) => new() { ClientId = client, RequestId = id, ReadDone = new ReadDone { Found = false } };

    [Fact]
    public void Answers_to_reads_wait_for_the_reads_still_waiting_beside_them()
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20, maxHoldMs: 2);
        for (var i = 1; i <= 10; i++) replies.Expect(new RequestId("a", i), ClientA, 0, isRead: true);
        for (var i = 1; i <= 9; i++) replies.Answered(Read("a", i), now: 0);
        replies.TakeDue(now: 1).Should().BeEmpty("9 gathered, but a read still waits and none was held for 2 ms yet");

        replies.Answered(Read("a", 10), now: 1);

        replies.TakeDue(now: 1).Should().ContainSingle().Which.Batch.Replies.Select(r => r.RequestId).Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
    }

    [Fact]
    public void Once_no_read_waits_answers_go_back_by_the_writes_rule()
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20, maxHoldMs: 2);
        for (var i = 1; i <= 4; i++) replies.Expect(new RequestId("a", i), ClientA, 0, isRead: true);
        for (var i = 5; i <= 10; i++) replies.Expect(new RequestId("a", i), ClientA, 0);
        for (var i = 1; i <= 4; i++) replies.Answered(Read("a", i), now: 0);
        replies.TakeDue(now: 1).Should().BeEmpty("4 gathered, 6 writes still wait");

        replies.Answered(Done("a", 5), now: 1);
        replies.Answered(Done("a", 6), now: 1);

        replies.TakeDue(now: 1).Should().ContainSingle().Which.Batch.Replies.Should().HaveCount(6);
        replies.Waiting.Should().Be(4);
    }

    [Fact]
    public void A_slow_read_holds_the_other_answers_back_no_longer_than_the_hold_time()
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20, maxHoldMs: 2);
        replies.Expect(new RequestId("a", 1), ClientA, 100, isRead: true);
        replies.Expect(new RequestId("a", 2), ClientA, 100, isRead: true);
        replies.Answered(Read("a", 1), now: 100);
        replies.TakeDue(now: 101).Should().BeEmpty();

        replies.TakeDue(now: 102).Should().ContainSingle("held 2 ms");
        replies.Answered(Read("a", 2), now: 103);
        replies.TakeDue(now: 103).Should().ContainSingle("nothing else waits");
        replies.AnyGathered.Should().BeFalse();
    }

    [Fact]
    public void A_forgotten_or_renewed_read_no_longer_holds_answers_back()
    {
        var replies = new BatchedReplies(maxBatchBytes: 1 << 20, maxHoldMs: 2);
        replies.Expect(new RequestId("a", 1), ClientA, 0, isRead: true);
        replies.Expect(new RequestId("a", 2), ClientA, 50, isRead: true);
        replies.Expect(new RequestId("a", 2), ClientA, 50, isRead: true); // a retry renews the wait, it is not a second read
        replies.Expect(new RequestId("a", 3), ClientA, 50, isRead: true);
        replies.Answered(Read("a", 2), now: 50);
        replies.Answered(Read("a", 3), now: 50);
        replies.TakeDue(now: 50).Should().BeEmpty("read 1 still waits");

        replies.ForgetOlderThan(10).Should().Be(1);

        replies.TakeDue(now: 50).Should().ContainSingle().Which.Batch.Replies.Should().HaveCount(2);
        replies.Waiting.Should().Be(0);
    }

    [Fact]
    public void Clients_are_answered_separately_and_duplicates_or_unknown_answers_are_dropped()
    {
        var replies = WithWaiting(ClientA, "a", 1);
        replies.Expect(new RequestId("b", 1), ClientB, 0);

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
            replies.Expect(new RequestId("a", i), ClientA, 0);
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
        replies.Expect(new RequestId("a", 6), ClientA, 50);
        replies.Answered(Done("a", 6), now: 50);
        replies.TakeDue(now: 50).Should().BeEmpty("5 requests still wait");

        replies.ForgetOlderThan(10).Should().Be(5);

        replies.TakeDue(now: 50).Should().ContainSingle();
    }

    private sealed class FakeRef(string name) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / name;

        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
