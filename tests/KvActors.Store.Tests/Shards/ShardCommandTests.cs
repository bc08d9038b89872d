using Akka.Actor;
using Google.Protobuf;
using KvActors.Storage;
using KvActors.Storage.Engine;
using KvActors.Store.Partitioning;
using KvActors.Store.Replication;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Shards;

/// <summary>Commands and expiry through one ShardActor over an in-memory engine: logged, recovered after a restart, expired by the primary.</summary>
public sealed class ShardCommandTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(KvActors.TestKit.TestKitSettings.LocalActorSystem, "shard-commands", output)
{
    private static readonly NodeId Self = new("127.0.0.1:4053");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly InMemoryStorageEngine _engine = new();

    // A snapshot every other commit, so a restart recovers from a snapshot and the log after it.
    private static ShardSettings Settings => new() { Replication = new ReplicationSettings { SnapshotEveryCommits = 2 } };

    private static RingState RingOf(long epoch) => new(epoch, 1, 1, [new ReplicaSet([Self], [])]);

    private IActorRef Start(long epoch)
    {
        var shard = Sys.ActorOf(ShardActor.Props(0, Self, _engine, CreateTestProbe().Ref, CreateTestProbe().Ref, Settings));
        shard.Tell(new ShardRing(RingOf(epoch)));
        return shard;
    }

    private static CommandRequest Command(long id, KvCommand command) => CommandWire.ToRequest(new RequestId("c", id), command);

    private static byte[] B(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private KvReply Ask(IActorRef shard, object request)
    {
        KvReply reply = null!;
        AwaitAssert(() =>
        {
            shard.Tell(request);
            reply = ExpectMsg<KvReply>(Wait);
            reply.ResultCase.Should().NotBe(KvReply.ResultOneofCase.RetryLater);
        }, Wait, TimeSpan.FromMilliseconds(50));
        return reply;
    }

    private static GetRequest Get(long id, string key) => new() { ClientId = "c", RequestId = id, Key = ByteString.CopyFromUtf8(key) };

    /// <summary>Fault: the shard stops and starts again. Invariant: expiries and command answers survive; a retried INCR is not applied twice.</summary>
    [Fact]
    public void Expiries_and_command_answers_survive_a_restart()
    {
        var expiresAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000;
        var shard = Start(1);
        Ask(shard, Command(1, new SetCommand(B("k"), B("v"), Expiry: Expiry.At(expiresAt)))).WriteDone.Outcome.Applied.Should().BeTrue();
        Ask(shard, Command(2, new IncrementCommand(B("n"), 5))).WriteDone.Outcome.Number.Should().Be(5);
        Ask(shard, Command(3, new IncrementCommand(B("n"), 1))).WriteDone.Outcome.Number.Should().Be(6);
        Ask(shard, Command(4, new SetCommand(B("k2"), B("w"), SetCondition.IfPresent))).WriteDone.Outcome.Applied.Should().BeFalse();
        Watch(shard);
        Sys.Stop(shard);
        ExpectTerminated(shard, Wait);

        var restarted = Start(2);
        var read = Ask(restarted, Get(10, "k"));
        (read.ReadDone.Found, read.ReadDone.ExpiresAtMs).Should().Be((true, expiresAt));
        Ask(restarted, Command(3, new IncrementCommand(B("n"), 1))).WriteDone.Outcome.Number.Should().Be(6, "the retry gets its first answer");
        Ask(restarted, Command(4, new SetCommand(B("k2"), B("w"), SetCondition.IfPresent))).WriteDone.Outcome.Applied.Should().BeFalse();
        Ask(restarted, Get(11, "n")).ReadDone.Value.ToStringUtf8().Should().Be("6");
    }

    /// <summary>Fault: none. Invariant: a key past its expiry is never read back, and the primary's active expiry logs its Delete.</summary>
    [Fact]
    public async Task The_primary_deletes_an_expired_key_through_the_log()
    {
        var shard = Start(1);
        Ask(shard, Command(1, new SetCommand(B("short"), B("v"), Expiry: Expiry.After(300)))).WriteDone.Outcome.Applied.Should().BeTrue();
        Ask(shard, new PutRequest { ClientId = "c", RequestId = 2, Key = ByteString.CopyFromUtf8("long"), Value = ByteString.CopyFromUtf8("v") });

        await AwaitAssertAsync(async () =>
        {
            var state = await _engine.LoadPartitionAsync(0);
            state.Records.Should().Contain(r => r.Kind == KvActors.Storage.OperationKind.Delete && r.Key.ToArray().SequenceEqual(B("short")),
                "the tick's expiry pass logged the delete");
        }, Wait, TimeSpan.FromMilliseconds(100));
        Ask(shard, Get(3, "short")).ReadDone.Found.Should().BeFalse();
        Ask(shard, Get(4, "long")).ReadDone.Found.Should().BeTrue();
    }

    /// <summary>Fault: a malformed command and a reserved client id. Invariant: refused in one sentence, nothing logged.</summary>
    [Fact]
    public async Task Bad_commands_are_refused_before_anything_is_logged()
    {
        var shard = Start(1);
        shard.Tell(new CommandRequest { ClientId = "c", RequestId = 1, Key = ByteString.CopyFromUtf8("k") });
        ExpectMsg<KvReply>(Wait).Refused.Reason.Should().Contain("carries no command");
        shard.Tell(CommandWire.ToRequest(RequestId.OfStore(1), new PersistCommand(B("k"))));
        ExpectMsg<KvReply>(Wait).Refused.Reason.Should().Contain("reserved");
        (await _engine.LoadPartitionAsync(0)).Records.Should().BeEmpty();
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _engine.DisposeAsync().AsTask().Wait();
    }
}
