using KvActors.Store.Replication;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>The primary's rules: seq assignment, commit when every in-sync replica acked, duplicates, silence, lease, back-pressure.</summary>
public class PrimaryRulesTests
{
    private static readonly PartitionConfig Epoch1 = Config(1, "p", ["a", "b"], "l");

    /// <summary>Every member adopted epoch 1 at 0 and answered the primary's first heartbeat at 20.</summary>
    private static Dictionary<string, PartitionReplica> Established(PartitionConfig config)
    {
        var replicas = Cluster(config);
        Settle(replicas[config.Primary].Tick(20), replicas, 20);
        return replicas;
    }

    private static PrepareAck AckFrom(IEnumerable<ReplicaEffect> effects, string node) =>
        effects.Messages<PrepareAck>().Single(a => a.From == node);

    [Fact]
    public void Assigns_the_next_seq_logs_it_and_then_sends_it_to_every_in_sync_replica_and_learner()
    {
        var r = Established(Epoch1);
        var effects = r["p"].OnClientWrite(Req(1), Put("k", "v"), 30);

        var append = effects.OfType<AppendToLog>().Single();
        append.Entries.Should().ContainSingle().Which.Should().Be(new LogEntry(1, 1, Req(1), Put("k", "v"), new CommandResult(false)));
        foreach (var member in new[] { "a", "b", "l" })
        {
            var prepare = effects.Messages<Prepare>(member).Single();
            prepare.Entries.Select(e => e.Seq).Should().Equal(1);
            prepare.PrevSeq.Should().Be(0);
        }
        effects.ToList().IndexOf(append).Should().BeLessThan(effects.ToList().FindIndex(e => e is SendToReplica), "an entry is logged before it is sent");

        r["p"].OnClientWrite(Req(2), Put("k", "w"), 31).Appended().Single().Seq.Should().Be(2);
    }

    [Fact]
    public void Commits_and_answers_only_once_every_in_sync_replica_acked_and_learners_do_not_count()
    {
        var r = Established(Epoch1);
        var p = r["p"];
        var acks = Deliver(p.OnClientWrite(Req(1), Put("k", "v"), 30), r, 31);

        p.OnMessage(AckFrom(acks, "l"), 32).Replies<WriteDone>().Should().BeEmpty();
        p.OnMessage(AckFrom(acks, "a"), 32).Replies<WriteDone>().Should().BeEmpty();
        p.CommitPoint.Should().Be(0);

        var last = p.OnMessage(AckFrom(acks, "b"), 33);
        last.Replies<WriteDone>().Should().ContainSingle().Which.Should().Be(new WriteDone(Req(1), new WriteResult(false), 1, new CommandResult(false)));
        last.OfType<ApplyCommitted>().Single().Entry.Seq.Should().Be(1);
        p.CommitPoint.Should().Be(1);
        S(p.State.Get(B("k"))).Should().Be("v");
        var order = last.ToList();
        order.FindIndex(e => e is RecordCommitPoint).Should().BeLessThan(order.FindIndex(e => e is ReplyToClient),
            "the commit point is recorded before the answer, so the shell logs it with the records before that answer");
    }

    [Fact]
    public void A_single_replica_appends_records_its_commit_point_and_only_then_answers()
    {
        var p = Cluster(Config(1, "p", []))["p"];
        p.Tick(1000); // a new primary serves once it waited out any earlier lease
        var effects = p.OnClientWrite(Req(1), Put("k", "v"), 2000).ToList();

        effects.Select(e => e.GetType().Name).Should().Equal(nameof(AppendToLog), nameof(ApplyCommitted), nameof(RecordCommitPoint), nameof(ReplyToClient));
    }

    [Fact]
    public void A_retry_of_a_write_in_flight_waits_for_the_same_answer_and_a_retry_of_a_committed_one_gets_the_first_answer()
    {
        var r = Established(Epoch1);
        var p = r["p"];
        var first = p.OnClientWrite(Req(1), Put("k", "v"), 30);
        var retry = p.OnClientWrite(Req(1), Put("k", "v"), 31);
        retry.Should().BeEmpty("the retry joins the write in flight");

        var done = Settle(first, r, 32).Replies<WriteDone>().ToList();
        done.Should().ContainSingle().Which.Seq.Should().Be(1);

        Settle(p.OnClientWrite(Req(2), Del("k"), 40), r, 41).Replies<WriteDone>().Single().Result.Existed.Should().BeTrue();
        Settle(p.OnClientWrite(Req(3), Put("k", "again"), 50), r, 51);

        var again = p.OnClientWrite(Req(2), Del("k"), 60);
        again.Appended().Should().BeEmpty("a duplicate is never logged again");
        again.Replies<WriteDone>().Should().ContainSingle().Which.Should().Be(new WriteDone(Req(2), new WriteResult(true), 2, new CommandResult(true)));
        S(p.State.Get(B("k"))).Should().Be("again");
    }

    /// <summary>
    /// Fault: a client resends a write after its answer fell out of the request table (more of its later writes to the
    /// partition committed meanwhile). Invariant: the resend is refused, not logged, since it may have run; a first
    /// attempt with an id as old is taken, and a resend whose answer is kept still gets it.
    /// </summary>
    [Fact]
    public void A_resent_write_whose_answer_was_forgotten_is_refused_rather_than_run_twice()
    {
        var settings = Settings with { RequestsKeptPerClient = 2 };
        var p = Cluster(Config(1, "p", []), settings: settings)["p"];
        p.Tick(1000);
        foreach (var n in new long[] { 1, 2, 3 })
            p.OnClientWrite(Req(n), Put("k", $"v{n}"), 2000 + n).Replies<WriteDone>().Should().ContainSingle();

        var resent = p.OnClientWrite(Req(1), Put("k", "v1"), 2010, resent: true);
        resent.Appended().Should().BeEmpty();
        resent.Replies<AnswerForgotten>().Should().ContainSingle().Which.Reason.Should().Contain("may have run already");
        S(p.State.Get(B("k"))).Should().Be("v3", "the write that may have run is not run again over a later one");

        p.OnClientWrite(Req(3), Put("k", "v3"), 2011, resent: true).Replies<WriteDone>().Single().Seq.Should().Be(3);
        var late = p.OnClientWrite(Req(0), Put("j", "first"), 2012);
        late.Appended().Should().ContainSingle("a first attempt cannot be a duplicate, however old its id");
    }

    [Fact]
    public void An_in_sync_replica_that_does_not_ack_in_time_is_reported_silent_and_commits_resume_without_it()
    {
        var r = Established(Epoch1);
        var p = r["p"];
        var acks = Deliver(p.OnClientWrite(Req(1), Put("k", "v"), 30), r, 31, "a", "l");
        foreach (var ack in acks.Messages<PrepareAck>())
            p.OnMessage(ack, 31);

        p.Tick(100).Reports<ReplicaSilent>().Should().BeEmpty();
        p.Tick(145).Reports<ReplicaSilent>().Should().ContainSingle().Which.Should().Be(new ReplicaSilent(1, "p", "b"));
        p.CommitPoint.Should().Be(0, "b never acknowledged");

        // The manager drops b into the learners; the primary counts the new in-sync set.
        var epoch2 = Config(2, "p", ["a"], "l", "b");
        foreach (var replica in r.Values)
            replica.OnConfig(epoch2, 150);
        var answers = Settle(p.Tick(170), r.Where(kv => kv.Key != "b").ToDictionary(), 170);
        answers.Replies<WriteDone>().Should().ContainSingle().Which.Request.Should().Be(Req(1));
    }

    [Fact]
    public void Reads_are_served_while_the_lease_holds_and_answered_retry_once_it_expired()
    {
        var r = Established(Epoch1);
        var p = r["p"];
        Settle(p.OnClientWrite(Req(1), Put("k", "v"), 30), r, 30); // every in-sync replica acked a message sent at 30

        S(p.OnClientRead(Req(2), B("k"), ReadMode.Leased, 129).Replies<ReadDone>().Single().Value).Should().Be("v");
        p.HoldsLease(130).Should().BeFalse("nothing sent after 30 was acknowledged");
        p.OnClientRead(Req(3), B("k"), ReadMode.Leased, 130).Replies<RetryLater>().Should().ContainSingle();

        Settle(p.Tick(140), r, 140);
        p.OnClientRead(Req(4), B("k"), ReadMode.Leased, 141).Replies<ReadDone>().Should().ContainSingle();
    }

    [Fact]
    public void The_lease_needs_every_in_sync_replica()
    {
        var r = Established(Epoch1);
        var p = r["p"];
        foreach (var ack in Deliver(p.Tick(60), r, 60, "a", "l").Messages<PrepareAck>())
            p.OnMessage(ack, 60);
        p.HoldsLease(119).Should().BeTrue("b's acknowledgement of the message sent at 20 still counts");
        p.HoldsLease(120).Should().BeFalse();
    }

    [Fact]
    public void Non_primaries_answer_not_primary_with_a_hint_but_serve_stale_reads()
    {
        var r = Established(Epoch1);
        Settle(r["p"].OnClientWrite(Req(1), Put("k", "v"), 30), r, 30);
        Settle(r["p"].Tick(60), r, 60); // carries the commit point to the replicas

        r["a"].OnClientWrite(Req(2), Put("k", "w"), 61).Replies<NotPrimary>().Single().Should().Be(new NotPrimary(Req(2), 1, "p"));
        r["a"].OnClientRead(Req(3), B("k"), ReadMode.Leased, 61).Replies<NotPrimary>().Should().ContainSingle();
        S(r["l"].OnClientRead(Req(4), B("k"), ReadMode.Stale, 61).Replies<ReadDone>().Single().Value).Should().Be("v");
    }

    [Fact]
    public void Writes_beyond_the_in_flight_limit_are_answered_retry()
    {
        var r = Established(Epoch1);
        for (var i = 1; i <= Settings.MaxUncommitted; i++)
            r["p"].OnClientWrite(Req(i), Put("k", $"{i}"), 30).Appended().Should().ContainSingle();
        var full = r["p"].OnClientWrite(Req(99), Put("k", "x"), 30);
        full.Appended().Should().BeEmpty();
        full.Replies<RetryLater>().Should().ContainSingle();
    }
}
