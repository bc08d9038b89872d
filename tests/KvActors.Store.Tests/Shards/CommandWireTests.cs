using Google.Protobuf;
using KvActors.Store.Replication;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;
using ReadDone = KvActors.Store.Replication.ReadDone;
using WriteDone = KvActors.Store.Replication.WriteDone;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Shards;

public class CommandWireTests
{
    public static TheoryData<string> CommandNames => new() { "set", "set-nx-get-px", "incr", "append", "getdel", "expire-gt", "persist" };

    private static KvCommand Sample(string name) => name switch
    {
        "set" => new SetCommand(B("k"), B("v")),
        "set-nx-get-px" => new SetCommand(B("k"), B("v"), SetCondition.IfAbsent, ReturnOld: true, Expiry.After(1500)),
        "incr" => new IncrementCommand(B("k"), -42),
        "append" => new AppendCommand(B("k"), B("tail")),
        "getdel" => new GetDeleteCommand(B("k")),
        "expire-gt" => new ExpireCommand(B("k"), Expiry.At(1_700_000_000_000), ExpireCondition.IfGreater),
        "persist" => new PersistCommand(B("k")),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Every_command_round_trips(string name)
    {
        var command = Sample(name);
        var message = CommandRequest.Parser.ParseFrom(CommandWire.ToRequest(Req(7), command).ToByteArray());
        (message.ClientId, message.RequestId).Should().Be(("c", 7L));
        CommandWire.FromRequest(message).Should().BeEquivalentTo(command, o => o.RespectingRuntimeTypes());
    }

    [Fact]
    public void An_unknown_condition_is_a_format_error_in_one_sentence()
    {
        var message = CommandWire.ToRequest(Req(1), new SetCommand(B("k"), B("v")));
        message.Set.Condition = (SetConditionKind)9;
        var parse = () => CommandWire.FromRequest(message);
        parse.Should().Throw<FormatException>().WithMessage("Unknown set condition 9 in a command.");
    }

    [Fact]
    public void Log_entries_keep_their_expiry_and_answer_and_noops_round_trip()
    {
        var put = new LogEntry(3, 2, Req(5), KvOperation.Put(B("k"), B("v"), 1_700_000_000_123), new CommandResult(true, Value: B("old"), Number: 9));
        var noop = new LogEntry(4, 2, Req(6), KvOperation.Noop(B("k")), new CommandResult(false, Applied: false, Error: CommandError.NotAnInteger));
        foreach (var entry in new[] { put, noop })
        {
            var back = StoreWire.FromProto(LogEntryMessage.Parser.ParseFrom(StoreWire.ToProto(entry).ToByteArray()));
            back.Should().Be(entry);
        }
    }

    [Fact]
    public void Snapshots_keep_expiries_and_answers()
    {
        var expiries = new Dictionary<byte[], long>(Storage.ByteArrayComparer.Instance) { [B("a")] = 1_800_000_000_000 };
        var snapshot = new ReplicaSnapshot(9, 2, [new(B("a"), B("1")), new(B("b"), B("2"))],
            [new CompletedRequest(Req(1), new WriteResult(true), 8, new CommandResult(true, Number: 12))], expiries);
        var back = StoreWire.FromProto(SnapshotMessage.Parser.ParseFrom(StoreWire.ToProto(snapshot).ToByteArray()));
        back.ExpiryOf(B("a")).Should().Be(1_800_000_000_000);
        back.ExpiryOf(B("b")).Should().Be(0);
        back.Requests.Single().Should().Be(snapshot.Requests[0]);
    }

    [Fact]
    public void Replies_carry_the_answer_and_the_expiry()
    {
        var write = new WriteDone(Req(1), new WriteResult(true), 4, new CommandResult(true, Applied: false, Value: B("x")));
        StoreWire.FromReply(KvReply.Parser.ParseFrom(StoreWire.ToReply(write).ToByteArray())).Should().Be(write);
        var read = (ReadDone)StoreWire.FromReply(KvReply.Parser.ParseFrom(StoreWire.ToReply(new ReadDone(Req(2), B("v"), 4, 77)).ToByteArray()))!;
        (S(read.Value), read.ExpiresAtMs).Should().Be(("v", 77L));
    }

    [Fact]
    public void A_read_reply_carries_the_time_to_live_left_on_the_answering_nodes_clock()
    {
        var inTenSeconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 10_000;
        var ttl = StoreWire.ToReply(new ReadDone(Req(1), B("v"), 4, inTenSeconds)).ReadDone.TtlMs;
        ttl.Should().BeInRange(1, 10_000, "the node's clock moved on at most a little since the expiry was set");
        StoreWire.ToReply(new ReadDone(Req(2), B("v"), 4, 0)).ReadDone.TtlMs.Should().Be(-1, "no expiry");
        StoreWire.ToReply(new ReadDone(Req(3), B("v"), 4, 1)).ReadDone.TtlMs.Should().Be(0, "an expiry in the past is no time left");
    }
}
