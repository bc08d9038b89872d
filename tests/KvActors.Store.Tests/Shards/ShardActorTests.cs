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

/// <summary>One ShardActor on a local actor system (Akka.TestKit), with an in-memory engine and probes for the replicator and the manager.</summary>
public sealed class ShardActorTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(KvActors.TestKit.TestKitSettings.LocalActorSystem, "shard", output)
{
    private static readonly NodeId Self = new("127.0.0.1:4053");
    private static readonly NodeId Other = new("127.0.0.1:4054");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly InMemoryStorageEngine _engine = new();

    private static ShardSettings Settings => new() { MaxKeySize = 8, MaxValueSize = 16 };

    private static RingState RingOf(long epoch, params NodeId[] inSync) =>
        new(epoch, 1, inSync.Length, [new ReplicaSet(inSync, [])]);

    private (IActorRef Shard, Akka.TestKit.TestProbe Replicator, Akka.TestKit.TestProbe Manager) Start(RingState? ring)
    {
        var replicator = CreateTestProbe();
        var manager = CreateTestProbe();
        var shard = Sys.ActorOf(ShardActor.Props(0, Self, _engine, replicator, manager, Settings));
        if (ring is not null)
            shard.Tell(new ShardRing(ring));
        return (shard, replicator, manager);
    }

    private static PutRequest Put(long id, string key, byte[] value) =>
        new() { ClientId = "c", RequestId = id, Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(value) };

    private static GetRequest Get(long id, string key) => new() { ClientId = "c", RequestId = id, Key = ByteString.CopyFromUtf8(key) };

    /// <summary>
    /// Fault: a client resends a write after two later writes of its own pushed its answer out of the partition's table.
    /// Invariant: the resend (marked on the wire) is refused with a reason and not logged; only an unmarked first attempt
    /// with such an id runs.
    /// </summary>
    [Fact]
    public void A_resent_put_whose_answer_was_forgotten_is_refused_and_not_logged()
    {
        var replicator = CreateTestProbe();
        var settings = Settings with { Replication = Settings.Replication with { RequestsKeptPerClient = 2 } };
        var shard = Sys.ActorOf(ShardActor.Props(0, Self, _engine, replicator, CreateTestProbe(), settings));
        shard.Tell(new ShardRing(RingOf(1, Self)));
        foreach (var id in new long[] { 1, 2, 3 })
        {
            shard.Tell(Put(id, "k", [(byte)id]));
            ExpectMsg<KvReply>(Wait).WriteDone.Seq.Should().Be(id);
        }

        var resent = Put(1, "k", [1]);
        resent.Resent = true;
        shard.Tell(resent);
        var refused = ExpectMsg<KvReply>(Wait);
        refused.ResultCase.Should().Be(KvReply.ResultOneofCase.Refused);
        refused.Refused.Reason.Should().Contain("may have run already");

        shard.Tell(Get(4, "k"));
        ExpectMsg<KvReply>(Wait).ReadDone.Value.ToByteArray().Should().Equal([3], "the resend did not overwrite the later write");
        shard.Tell(Put(1, "k", [9]));
        ExpectMsg<KvReply>(Wait).WriteDone.Seq.Should().Be(4, "a request not marked resent is a first attempt, and runs");
    }

    /// <summary>Fault: none. Invariant: a single-replica primary commits a write at once, persists it, and a read returns it.</summary>
    [Fact]
    public async Task A_single_replica_primary_writes_and_reads_back()
    {
        var (shard, _, _) = Start(RingOf(1, Self));

        shard.Tell(Put(1, "k", [1, 2, 3]));
        var written = ExpectMsg<KvReply>(Wait);
        written.ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
        written.WriteDone.Existed.Should().BeFalse();

        shard.Tell(Get(2, "k"));
        var read = ExpectMsg<KvReply>(Wait);
        read.ResultCase.Should().Be(KvReply.ResultOneofCase.ReadDone);
        read.ReadDone.Found.Should().BeTrue();
        read.ReadDone.Value.ToByteArray().Should().Equal(1, 2, 3);

        shard.Tell(Put(1, "k", [1, 2, 3]));
        ExpectMsg<KvReply>(Wait).WriteDone.Seq.Should().Be(written.WriteDone.Seq, "a retry gets the first answer");

        var stored = await _engine.LoadPartitionAsync(0);
        stored.Entries.Should().ContainSingle().Which.Value.Should().Equal(1, 2, 3);
    }

    /// <summary>Fault: a value one byte over the limit, and a key over its limit. Invariant: refused with the reason, nothing logged; a value at the limit works.</summary>
    [Fact]
    public async Task A_value_over_the_limit_is_refused_before_anything_is_logged()
    {
        var (shard, _, _) = Start(RingOf(1, Self));

        shard.Tell(Put(1, "k", new byte[17]));
        var refused = ExpectMsg<KvReply>(Wait);
        refused.ResultCase.Should().Be(KvReply.ResultOneofCase.Refused);
        refused.Refused.Reason.Should().Contain("max-value-size");

        shard.Tell(Put(2, "much-too-long-key", [1]));
        ExpectMsg<KvReply>(Wait).Refused.Reason.Should().Contain("max-key-size");

        (await _engine.LoadPartitionAsync(0)).LastSeq.Should().Be(0, "nothing was logged");

        shard.Tell(Put(3, "k", new byte[16]));
        ExpectMsg<KvReply>(Wait).ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone, "a value at the limit is accepted");
    }

    /// <summary>Fault: a primary of an older epoch sends a Prepare. Invariant: it is refused (nothing applied) and told the newer epoch.</summary>
    [Fact]
    public void A_prepare_from_a_stale_epoch_is_refused()
    {
        var (shard, replicator, _) = Start(RingOf(5, Other, Self));
        var old = new Prepare(4, Other.Value, 0, 0, [new LogEntry(1, 4, new RequestId("c", 1), KvOperation.Put([1], [1]))], 1, 100);

        shard.Tell(new InboundReplication(old));

        var answer = replicator.FishForMessage<OutboundReplication>(m => m.Message is StaleEpoch, Wait);
        answer.To.Should().Be(Other.Value);
        answer.Message.Epoch.Should().Be(5);
        shard.Tell(new GetRequest { ClientId = "c", RequestId = 2, Key = ByteString.CopyFrom([1]), Stale = true });
        ExpectMsg<KvReply>(Wait).ReadDone.Found.Should().BeFalse("the stale entry was not applied");
    }

    /// <summary>
    /// Fault: a replica comes back after the primary's log in memory has moved on past its commit point (100 writes
    /// against the 64 committed entries kept). Invariant: the primary reads what it missed from the log on disk and
    /// sends that, not a snapshot.
    /// </summary>
    [Fact]
    public void A_returning_replica_is_sent_what_it_missed_from_the_log_on_disk()
    {
        var (shard, replicator, _) = Start(RingOf(1, Self));
        for (var i = 1; i <= 100; i++)
        {
            shard.Tell(Put(i, $"k{i % 7}", [(byte)i]));
            ExpectMsg<KvReply>(Wait).ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
        }

        shard.Tell(new ShardRing(new RingState(2, 1, 2, [new ReplicaSet([Self], [Other])])));
        shard.Tell(new InboundReplication(new NeedsCatchUp(2, Other.Value, 11)));

        var sent = (CatchUpData)replicator.FishForMessage<OutboundReplication>(m => m.Message is CatchUpData, Wait).Message;
        sent.Snapshot.Should().BeNull("the log on disk still holds everything after seq 10");
        sent.PrevSeq.Should().Be(10);
        sent.PrevEpoch.Should().Be(1);
        sent.Entries.Should().NotBeEmpty();
        sent.Entries[0].Seq.Should().Be(11);
        sent.Entries[0].Request.Should().Be(new RequestId("c", 11), "the entry read back keeps its request id");
        sent.Entries[0].Operation.Value.Should().Equal((byte)11);
    }

    /// <summary>Fault: a write sent to a backup. Invariant: NotPrimary naming the epoch and the primary.</summary>
    [Fact]
    public void A_backup_answers_not_primary_with_a_hint()
    {
        var (shard, _, _) = Start(RingOf(3, Other, Self));

        shard.Tell(Put(1, "k", [1]));

        var reply = ExpectMsg<KvReply>(Wait);
        reply.ResultCase.Should().Be(KvReply.ResultOneofCase.NotPrimary);
        (reply.NotPrimary.Epoch, reply.NotPrimary.Hint).Should().Be((3L, Other.Value));
    }

    /// <summary>Fault: none. Invariant: a primary with a backup sends the write through the replicator and answers only once the backup acknowledged it.</summary>
    [Fact]
    public void A_primary_answers_a_write_once_its_backup_acknowledges()
    {
        var (shard, replicator, _) = Start(RingOf(2, Self, Other));

        shard.Tell(Put(1, "k", [4]));
        var prepare = replicator.FishForMessage<OutboundReplication>(m => m.Message is Prepare { Entries.Count: > 0 }, Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        var p = (Prepare)prepare.Message;
        shard.Tell(new InboundReplication(new PrepareAck(2, Other.Value, p.Entries[^1].Seq, p.SentAt)));

        ExpectMsg<KvReply>(Wait).ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
    }

    /// <summary>Fault: none. Invariant: a backup acknowledges a prepared entry only after the engine holds it, with its epoch and request, and the adopted epoch as the mark.</summary>
    [Fact]
    public async Task A_backup_logs_the_prepared_entry_and_its_epoch_before_acknowledging()
    {
        var (shard, replicator, _) = Start(RingOf(5, Other, Self));

        shard.Tell(new InboundReplication(new Prepare(5, Other.Value, 0, 0, [new LogEntry(1, 5, new RequestId("c", 7), KvOperation.Put([1], [2]))], 0, 100)));

        var ack = replicator.FishForMessage<OutboundReplication>(m => m.Message is PrepareAck { PreparedThrough: 1 }, Wait);
        ack.To.Should().Be(Other.Value);
        var stored = await _engine.LoadPartitionAsync(0);
        stored.Records.Should().ContainSingle().Which.Should().Match<LogRecord>(r => r.Seq == 1 && r.Epoch == 5 && r.Kind == KvActors.Storage.OperationKind.Put);
        stored.Mark.Epoch.Should().Be(5);
        stored.Mark.CommitPoint.Should().Be(0, "the entry is prepared, not committed");
    }

    /// <summary>
    /// Fault: the backup's actor stops (as in a crash) holding an uncommitted entry and is started again on the same storage.
    /// Invariant: the epoch does not go back (an older primary is refused), and the prepared tail is still there
    /// (a newer primary's next entry continues it and is acknowledged).
    /// </summary>
    [Fact]
    public void A_restarted_backup_keeps_its_epoch_and_its_prepared_tail()
    {
        var (shard, replicator, _) = Start(RingOf(5, Other, Self));
        shard.Tell(new InboundReplication(new Prepare(5, Other.Value, 0, 0, [new LogEntry(1, 5, new RequestId("c", 7), KvOperation.Put([1], [2]))], 0, 100)));
        replicator.FishForMessage<OutboundReplication>(m => m.Message is PrepareAck { PreparedThrough: 1 }, Wait);
        Crash(shard);

        var (restarted, replicator2, _) = Start(ring: null);
        restarted.Tell(new InboundReplication(new Prepare(4, Other.Value, 0, 0, [new LogEntry(1, 4, new RequestId("c", 1), KvOperation.Put([9], [9]))], 0, 100)));
        replicator2.FishForMessage<OutboundReplication>(m => m.Message is StaleEpoch, Wait).Message.Epoch.Should().Be(5, "the epoch adopted before the crash");

        restarted.Tell(new ShardRing(RingOf(6, Other, Self)));
        restarted.Tell(new InboundReplication(new Prepare(6, Other.Value, 1, 5, [new LogEntry(2, 6, new RequestId("c", 8), KvOperation.Put([3], [4]))], 1, 200)));
        replicator2.FishForMessage<OutboundReplication>(m => m.Message is PrepareAck { PreparedThrough: 2 }, Wait);
        restarted.Tell(new GetRequest { ClientId = "c", RequestId = 9, Key = ByteString.CopyFrom([1]), Stale = true });
        var read = ExpectMsg<KvReply>(Wait);
        read.ReadDone.Found.Should().BeTrue("entry 1, prepared before the crash, was committed by the new primary's commit point");
        read.ReadDone.Value.ToByteArray().Should().Equal(2);
    }

    /// <summary>Fault: a single-replica primary's actor stops after a committed write and starts again. Invariant: the value is there and a retry of the request gets its first answer.</summary>
    [Fact]
    public void A_restarted_primary_keeps_its_data_and_its_answers_to_retries()
    {
        var (shard, _, _) = Start(RingOf(3, Self));
        shard.Tell(Put(1, "k", [5]));
        var first = ExpectMsg<KvReply>(Wait);
        first.ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
        shard.Tell(Put(2, "k", [6]));
        ExpectMsg<KvReply>(Wait).ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
        Crash(shard);

        var (restarted, _, _) = Start(RingOf(4, Self));
        AwaitAssert(() =>
        {
            restarted.Tell(Put(1, "k", [5]));
            var retry = ExpectMsg<KvReply>(Wait);
            retry.ResultCase.Should().Be(KvReply.ResultOneofCase.WriteDone);
            retry.WriteDone.Seq.Should().Be(first.WriteDone.Seq, "the retry gets the first answer, not a second write");
        }, Wait, TimeSpan.FromMilliseconds(100));
        restarted.Tell(Get(3, "k"));
        ExpectMsg<KvReply>(Wait).ReadDone.Value.ToByteArray().Should().Equal(6);
    }

    /// <summary>Stops the actor and waits until it is gone; its storage stays, as a crashed node's disk does.</summary>
    private void Crash(IActorRef shard)
    {
        Watch(shard);
        Sys.Stop(shard);
        ExpectTerminated(shard, Wait);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _engine.DisposeAsync().AsTask().Wait();
    }
}
