using KvActors.Store.Replication;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>A backup's rules: fencing by epoch, order, idempotence, truncation of other histories, grace and lease revocation.</summary>
public class BackupRulesTests
{
    private static LogEntry E(long seq, long epoch, long request, string value) => new(seq, epoch, Req(request), Put("k", value));

    private static Prepare From(string primary, long epoch, long prevSeq, long prevEpoch, long commit, long sentAt, params LogEntry[] entries) =>
        new(epoch, primary, prevSeq, prevEpoch, entries, commit, sentAt);

    private static PartitionReplica Replica(PartitionConfig config, long now = 0)
    {
        var replica = PartitionReplica.CreateNew("a", Settings);
        replica.OnConfig(config, now);
        return replica;
    }

    [Fact]
    public void Refuses_a_prepare_from_an_older_epoch_and_tells_the_sender()
    {
        var a = Replica(Config(2, "q", ["a"]));
        var effects = a.OnMessage(From("p", 1, 0, 0, 0, 5, E(1, 1, 1, "old")), 5);
        effects.Appended().Should().BeEmpty();
        effects.Messages<PrepareAck>().Should().BeEmpty();
        effects.Messages<StaleEpoch>("p").Should().ContainSingle().Which.Epoch.Should().Be(2);
    }

    [Fact]
    public void A_prepare_from_a_newer_epoch_makes_it_fetch_the_configuration_first()
    {
        var a = Replica(Config(1, "p", ["a"]));
        var effects = a.OnMessage(From("q", 3, 0, 0, 0, 5, E(1, 3, 1, "new")), 5);
        effects.Appended().Should().BeEmpty();
        effects.Reports<ConfigRequest>().Should().ContainSingle().Which.Epoch.Should().Be(1);
        a.Epoch.Should().Be(1);
    }

    [Fact]
    public void Ignores_a_node_that_is_not_the_primary_of_its_epoch()
    {
        var a = Replica(Config(1, "p", ["a", "b"]));
        a.OnMessage(From("b", 1, 0, 0, 0, 5, E(1, 1, 1, "x")), 5).Should().BeEmpty();
    }

    [Fact]
    public void Logs_in_seq_order_only_and_asks_to_catch_up_on_a_gap()
    {
        var a = Replica(Config(1, "p", ["a"]));
        var early = a.OnMessage(From("p", 1, 1, 1, 0, 5, E(2, 1, 2, "two")), 5);
        early.Appended().Should().BeEmpty();
        early.Messages<NeedsCatchUp>("p").Single().FromSeq.Should().Be(1);

        var first = a.OnMessage(From("p", 1, 0, 0, 0, 6, E(1, 1, 1, "one")), 6);
        first.Appended().Select(e => e.Seq).Should().Equal(1);
        first.Messages<PrepareAck>("p").Single().Should().Be(new PrepareAck(1, "a", 1, 6));

        a.OnMessage(From("p", 1, 1, 1, 0, 7, E(2, 1, 2, "two")), 7).Appended().Select(e => e.Seq).Should().Equal(2);
        a.LastSeq.Should().Be(2);
    }

    [Fact]
    public void A_duplicate_prepare_is_acknowledged_again_without_logging_twice()
    {
        var a = Replica(Config(1, "p", ["a"]));
        var prepare = From("p", 1, 0, 0, 0, 5, E(1, 1, 1, "one"));
        a.OnMessage(prepare, 5).Appended().Should().ContainSingle();
        var again = a.OnMessage(prepare, 9);
        again.Appended().Should().BeEmpty();
        again.Messages<PrepareAck>().Single().PreparedThrough.Should().Be(1);
        a.LastSeq.Should().Be(1);
    }

    [Fact]
    public void Applies_what_the_piggybacked_commit_point_covers()
    {
        var a = Replica(Config(1, "p", ["a"]));
        a.OnMessage(From("p", 1, 0, 0, 0, 5, E(1, 1, 1, "one"), E(2, 1, 2, "two")), 5);
        a.CommitPoint.Should().Be(0);
        var heartbeat = a.OnMessage(From("p", 1, 2, 1, 1, 6), 6);
        heartbeat.OfType<ApplyCommitted>().Select(c => c.Entry.Seq).Should().Equal(1);
        heartbeat.OfType<RecordCommitPoint>().Single().Seq.Should().Be(1);
        S(a.State.Get(B("k"))).Should().Be("one");
    }

    [Fact]
    public void Drops_the_uncommitted_tail_the_new_primary_does_not_have_once_an_empty_batch_shows_where_its_log_ends()
    {
        var a = Replica(Config(1, "p", ["a", "b"]));
        a.OnMessage(From("p", 1, 0, 0, 1, 5, E(1, 1, 1, "one"), E(2, 1, 2, "two"), E(3, 1, 3, "three")), 5);
        a.OnConfig(Config(2, "b", ["a"]), 10);

        // b has 1 and 2 only. Its batch through 2 does not say so (a batch may end before the primary's log does, and
        // 3 may then be committed), so 3 stays, unacknowledged.
        var batch = a.OnMessage(From("b", 2, 1, 1, 1, 11, E(2, 1, 2, "two")), 11);
        batch.OfType<TruncateLogAfter>().Should().BeEmpty();
        batch.Messages<PrepareAck>("b").Single().PreparedThrough.Should().Be(2);
        a.LastSeq.Should().Be(3);

        // Its empty batch after 2 does: b's log ends at 2, so 3 (uncommitted, of an older epoch) goes.
        var end = a.OnMessage(From("b", 2, 2, 1, 1, 12), 12);
        end.OfType<TruncateLogAfter>().Single().Seq.Should().Be(2);
        end.Messages<PrepareAck>("b").Single().PreparedThrough.Should().Be(2);
        a.LastSeq.Should().Be(2);
    }

    [Fact]
    public void Replaces_an_uncommitted_entry_of_another_history()
    {
        var a = Replica(Config(1, "p", ["a", "b"]));
        a.OnMessage(From("p", 1, 0, 0, 1, 5, E(1, 1, 1, "one"), E(2, 1, 2, "two"), E(3, 1, 3, "three")), 5);
        a.OnConfig(Config(2, "b", ["a"]), 10);

        var effects = a.OnMessage(From("b", 2, 1, 1, 1, 11, E(2, 2, 9, "other")), 11);
        effects.OfType<TruncateLogAfter>().First().Seq.Should().Be(1);
        effects.Appended().Should().Equal(E(2, 2, 9, "other"));
        a.Log[2].Should().Be(E(2, 2, 9, "other"));
        a.LastSeq.Should().Be(2);
    }

    [Fact]
    public void Never_truncates_committed_entries()
    {
        var a = Replica(Config(1, "p", ["a"]));
        a.OnMessage(From("p", 1, 0, 0, 2, 5, E(1, 1, 1, "one"), E(2, 1, 2, "two")), 5);
        a.CommitPoint.Should().Be(2);
        a.OnConfig(Config(2, "q", ["a"]), 10);
        // A (wrong) batch claiming another entry at a committed seq changes nothing there.
        var effects = a.OnMessage(From("q", 2, 0, 0, 0, 11, E(1, 2, 7, "x"), E(2, 2, 8, "y")), 11);
        effects.OfType<TruncateLogAfter>().Should().BeEmpty();
        a.Log[2].Should().Be(E(2, 1, 2, "two"));
    }

    [Fact]
    public void After_the_grace_period_without_the_primary_it_suspects_it_and_stops_granting()
    {
        var a = Replica(Config(1, "p", ["a"]));
        a.OnMessage(From("p", 1, 0, 0, 0, 10, E(1, 1, 1, "one")), 10);

        a.Tick(160).Reports<PrimarySuspected>().Should().BeEmpty();
        a.Tick(161).Reports<PrimarySuspected>().Should().ContainSingle()
            .Which.Should().Be(new PrimarySuspected(1, "a", 1, 1, 151));
        a.Tick(170).Reports<PrimarySuspected>().Should().BeEmpty("reports repeat at the report interval");
        a.Tick(191).Reports<PrimarySuspected>().Should().ContainSingle();

        var late = a.OnMessage(From("p", 1, 1, 1, 0, 200, E(2, 1, 2, "two")), 200);
        late.Messages<PrepareAck>().Should().BeEmpty("a suspected primary gets no more lease");
        late.Appended().Should().BeEmpty();
    }

    [Fact]
    public void A_revocation_from_the_manager_stops_granting_at_once()
    {
        var a = Replica(Config(1, "p", ["a"]));
        a.OnMessage(From("p", 1, 0, 0, 0, 10, E(1, 1, 1, "one")), 10);

        a.OnRevokeLease(0, 50).Should().BeEmpty("an older epoch's failover is over");
        a.OnRevokeLease(1, 50).Reports<PrimarySuspected>().Single().SinceLastGrantMs.Should().Be(40);
        a.OnMessage(From("p", 1, 1, 1, 0, 60), 60).Messages<PrepareAck>().Should().BeEmpty();
        a.OnRevokeLease(2, 70).Reports<ConfigRequest>().Should().ContainSingle();
    }

    [Fact]
    public void Learners_neither_suspect_nor_revoke()
    {
        var l = PartitionReplica.CreateNew("l", Settings);
        l.OnConfig(Config(1, "p", [], "l"), 0);
        l.Tick(1_000).Reports<PrimarySuspected>().Should().BeEmpty();
        l.OnRevokeLease(1, 1_000).Should().BeEmpty();
    }
}
