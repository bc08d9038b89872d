using Google.Protobuf;
using KvActors.Store.Replication;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;
using WireNotPrimary = KvActors.Store.Replication.NotPrimary;
using WireRetryLater = KvActors.Store.Replication.RetryLater;
using WireWriteDone = KvActors.Store.Replication.WriteDone;
using WireReadDone = KvActors.Store.Replication.ReadDone;

namespace KvActors.Store.Tests.Shards;

/// <summary>The replication core's records survive the trip through store.proto (including its bytes on the wire).</summary>
public sealed class StoreWireTests
{
    private static readonly LogEntry[] Entries =
    [
        new(6, 3, new RequestId("client-a", 17), KvOperation.Put([1, 2, 3], [9, 8])),
        new(7, 4, new RequestId("client-b", 1), KvOperation.Delete([4])),
        new(8, 4, new RequestId("client-b", 2), KvOperation.Put([5], [])),
    ];

    private static readonly ReplicaSnapshot Snapshot = new(5, 3,
        [new KeyValuePair<byte[], byte[]>([1], [2, 2]), new KeyValuePair<byte[], byte[]>([3, 3], [])],
        [new CompletedRequest(new RequestId("client-a", 16), new WriteResult(true), 5)]);

    public static TheoryData<string> MessageNames() => new() { "prepare", "heartbeat", "ack", "needs", "catchup", "catchup-snapshot", "stale" };

    private static ReplicationMessage Sample(string name) => name switch
    {
        "prepare" => new Prepare(4, "n1:1", 5, 3, Entries, 5, 123456),
        "heartbeat" => new Prepare(4, "n1:1", 8, 4, [], 8, 1),
        "ack" => new PrepareAck(4, "n2:2", 8, 123456),
        "needs" => new NeedsCatchUp(4, "n2:2", 3),
        "catchup" => new CatchUpData(4, "n1:1", null, 5, 3, Entries, 6, 99),
        "catchup-snapshot" => new CatchUpData(4, "n1:1", Snapshot, 5, 3, Entries, 6, 99),
        "stale" => new StaleEpoch(9, "n3:3"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Every_replication_message_round_trips(string name)
    {
        var message = Sample(name);

        var item = StoreWire.ToItem(42, message);
        var back = StoreWire.FromItem(ReplicationItem.Parser.ParseFrom(item.ToByteArray()));

        item.Partition.Should().Be(42);
        back.Should().BeEquivalentTo(message, o => o.RespectingRuntimeTypes());
        back.GetType().Should().Be(message.GetType());
    }

    [Fact]
    public void Log_entries_keep_their_operation_and_request()
    {
        foreach (var entry in Entries)
            StoreWire.FromProto(LogEntryMessage.Parser.ParseFrom(StoreWire.ToProto(entry).ToByteArray())).Should().Be(entry);
    }

    [Fact]
    public void An_empty_item_is_a_format_error() =>
        FluentActions.Invoking(() => StoreWire.FromItem(new ReplicationItem { Partition = 1 })).Should().Throw<FormatException>();

    public static TheoryData<string> ReplyNames() => new() { "write", "read", "not-found", "not-primary", "no-hint", "retry" };

    private static ClientReply Reply(string name) => name switch
    {
        "write" => new WireWriteDone(new RequestId("c", 1), new WriteResult(true), 12),
        "read" => new WireReadDone(new RequestId("c", 2), [7, 7, 7], 12),
        "not-found" => new WireReadDone(new RequestId("c", 3), null, 12),
        "not-primary" => new WireNotPrimary(new RequestId("c", 4), 5, "127.0.0.1:4054"),
        "no-hint" => new WireNotPrimary(new RequestId("c", 5), 5, null),
        "retry" => new WireRetryLater(new RequestId("c", 6), "the primary has no lease"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(ReplyNames))]
    public void Every_client_reply_round_trips(string name)
    {
        var reply = Reply(name);

        var back = StoreWire.FromReply(KvReply.Parser.ParseFrom(StoreWire.ToReply(reply).ToByteArray()));

        back.Should().BeEquivalentTo(reply, o => o.RespectingRuntimeTypes());
    }

    [Fact]
    public void Refused_carries_its_reason_and_request()
    {
        var reply = KvReply.Parser.ParseFrom(StoreWire.Refused(new RequestId("c", 9), "too big").ToByteArray());

        reply.ResultCase.Should().Be(KvReply.ResultOneofCase.Refused);
        reply.Refused.Reason.Should().Be("too big");
        (reply.ClientId, reply.RequestId).Should().Be(("c", 9L));
        StoreWire.FromReply(reply).Should().BeNull();
    }

    [Fact]
    public void A_forgotten_answer_goes_as_a_refusal_that_says_the_request_may_have_run()
    {
        var reply = KvReply.Parser.ParseFrom(StoreWire.ToReply(new AnswerForgotten(new RequestId("c", 4), 32)).ToByteArray());

        reply.ResultCase.Should().Be(KvReply.ResultOneofCase.Refused);
        reply.Refused.Reason.Should().Contain("may have run already").And.Contain("32 highest request ids");
        (reply.ClientId, reply.RequestId).Should().Be(("c", 4L));
    }
}
