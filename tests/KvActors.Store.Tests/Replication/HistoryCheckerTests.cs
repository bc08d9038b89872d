using KvActors.Store.Replication;
using KvActors.Store.Tests.Replication.Simulation;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>The simulation's checker catches each violation it is there for (so a green simulation means something).</summary>
public class HistoryCheckerTests
{
    private static LogEntry PutEntry(long seq, long request, string key, string value) => new(seq, 1, Req(request), Put(key, value));

    private static CompletedRequest Executed(LogEntry e, bool existed = false) => new(e.Request, new WriteResult(existed), e.Seq);

    /// <summary>Two acknowledged puts of k: v1 (seq 1, acked at 10) and v2 (seq 2, acked at 20).</summary>
    private static HistoryChecker TwoAckedPuts()
    {
        var checker = new HistoryChecker();
        checker.RegisterPut(Req(1), "v1");
        checker.RegisterPut(Req(2), "v2");
        var one = PutEntry(1, 1, "k", "v1");
        var two = PutEntry(2, 2, "k", "v2");
        checker.OnApplied("p", one, Executed(one));
        checker.OnApplied("p", two, Executed(two, existed: true));
        checker.OnWriteAcked("k", Req(1), KvOperationKind.Put, new WriteDone(Req(1), new WriteResult(false), 1), 10);
        checker.OnWriteAcked("k", Req(2), KvOperationKind.Put, new WriteDone(Req(2), new WriteResult(true), 2), 20);
        return checker;
    }

    [Fact]
    public void A_read_older_than_a_write_acknowledged_before_it_began_is_stale()
    {
        var checker = TwoAckedPuts();
        checker.RegisterRead(Req(3), ReadMode.Leased);
        var stale = () => checker.OnReadCompleted("k", Req(3), ReadMode.Leased, B("v1"), invokedAt: 21, now: 25);
        stale.Should().Throw<InvariantViolation>().WithMessage("stale read*");
    }

    [Fact]
    public void A_read_concurrent_with_the_newer_write_may_return_the_older_value()
    {
        var checker = TwoAckedPuts();
        checker.OnReadCompleted("k", Req(3), ReadMode.Leased, B("v1"), invokedAt: 19, now: 25);
        checker.OnReadCompleted("k", Req(4), ReadMode.Leased, B("v2"), invokedAt: 30, now: 31);
        checker.OnReadCompleted("k", Req(5), ReadMode.Stale, B("v1"), invokedAt: 30, now: 31);
    }

    [Fact]
    public void Not_found_after_an_acknowledged_put_is_stale_unless_a_delete_followed()
    {
        var checker = TwoAckedPuts();
        var stale = () => checker.OnReadCompleted("k", Req(3), ReadMode.Leased, null, invokedAt: 30, now: 31);
        stale.Should().Throw<InvariantViolation>();

        var delete = new LogEntry(3, 1, Req(9), Del("k"));
        checker.OnApplied("p", delete, Executed(delete, existed: true));
        checker.OnReadCompleted("k", Req(4), ReadMode.Leased, null, invokedAt: 30, now: 31);
    }

    [Fact]
    public void A_read_of_a_value_that_was_never_committed_is_caught()
    {
        var checker = new HistoryChecker();
        checker.RegisterPut(Req(1), "v1");
        var act = () => checker.OnReadCompleted("k", Req(2), ReadMode.Stale, B("v1"), 0, 1);
        act.Should().Throw<InvariantViolation>().WithMessage("*never committed*");
    }

    [Fact]
    public void Replicas_applying_different_entries_at_one_seq_disagree()
    {
        var checker = new HistoryChecker();
        var one = PutEntry(1, 1, "k", "v1");
        var other = PutEntry(1, 2, "k", "v2");
        checker.OnApplied("a", one, Executed(one));
        checker.OnApplied("b", one, Executed(one));
        var act = () => checker.OnApplied("c", other, Executed(other));
        act.Should().Throw<InvariantViolation>().WithMessage("committed prefixes disagree at seq 1*");
    }

    [Fact]
    public void A_request_taking_effect_twice_is_caught()
    {
        var checker = new HistoryChecker();
        var first = PutEntry(1, 1, "k", "v1");
        var again = first with { Seq = 2 };
        checker.OnApplied("a", first, Executed(first));
        checker.OnApplied("a", again, Executed(first)); // a duplicate that changed nothing is fine
        var act = () => checker.OnApplied("a", again with { Seq = 3 }, Executed(again with { Seq = 3 }));
        act.Should().Throw<InvariantViolation>().WithMessage("*took effect twice*");
    }

    [Fact]
    public void Two_servers_in_one_epoch_or_an_old_primary_reading_after_a_newer_one_served_are_caught()
    {
        var checker = TwoAckedPuts();
        checker.OnReplySent("p", 1, new WriteDone(Req(1), new WriteResult(false), 1), 10);
        var twoInOneEpoch = () => checker.OnReplySent("q", 1, new WriteDone(Req(2), new WriteResult(true), 2), 11);
        twoInOneEpoch.Should().Throw<InvariantViolation>().WithMessage("two primaries served in epoch 1*");

        checker.OnReplySent("q", 2, new WriteDone(Req(2), new WriteResult(true), 2), 12);
        checker.RegisterRead(Req(3), ReadMode.Leased);
        var oldRead = () => checker.OnReplySent("p", 1, new ReadDone(Req(3), B("v1"), 1), 13);
        oldRead.Should().Throw<InvariantViolation>().WithMessage("p served a leased read in epoch 1*");

        checker.RegisterRead(Req(4), ReadMode.Stale);
        checker.OnReplySent("p", 1, new ReadDone(Req(4), B("v1"), 1), 14); // a stale read may come from anywhere
    }

    [Fact]
    public void The_epoch_going_back_at_a_node_is_caught()
    {
        var checker = new HistoryChecker();
        checker.ObserveEpoch("a", 3);
        checker.ObserveEpoch("a", 3);
        var act = () => checker.ObserveEpoch("a", 2);
        act.Should().Throw<InvariantViolation>();
    }

    [Fact]
    public void The_disk_refuses_to_truncate_committed_entries_or_to_move_the_epoch_back()
    {
        var disk = new SimDisk();
        disk.Apply(new AppendToLog([PutEntry(1, 1, "k", "v"), PutEntry(2, 2, "k", "w")]));
        disk.Apply(new RecordCommitPoint(2));
        disk.Apply(new RecordEpoch(4));
        ((Action)(() => disk.Apply(new TruncateLogAfter(1)))).Should().Throw<InvariantViolation>();
        ((Action)(() => disk.Apply(new RecordEpoch(3)))).Should().Throw<InvariantViolation>();
        ((Action)(() => disk.Apply(new AppendToLog([PutEntry(4, 3, "k", "x")])))).Should().Throw<InvariantViolation>();
    }
}
