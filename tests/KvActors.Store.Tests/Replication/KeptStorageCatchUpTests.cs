using KvActors.Store.Replication;
using KvActors.Store.Tests.Replication.Simulation;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>
/// A replica that comes back as a learner on storage it kept (after a restart, or after the ring left it out for a
/// while): it may hold prepared entries of epochs it missed; it drops them, catches up with only what it missed (no
/// snapshot while the primary's log, in memory or on disk, reaches back to its commit point), and ends with the
/// primary's history.
/// </summary>
public class KeptStorageCatchUpTests
{
    private static readonly ReplicationSettings Frequent = Settings with { SnapshotEveryCommits = 3, CommittedEntriesInMemory = 3, MaxUncommitted = 100 };

    /// <summary>Primary p alone: seqs 1..3 written in epoch 1, then moved to epoch 3 and <paramref name="later"/> more writes there.</summary>
    private static PartitionReplica Primary(int later)
    {
        var p = PartitionReplica.CreateNew("p", Frequent);
        p.OnConfig(Config(1, "p", []), 0);
        for (var i = 1; i <= 3; i++)
            p.OnClientWrite(Req(i), Put($"k{i}", $"v{i}"), 10);
        p.OnConfig(Config(3, "p", []), 20);
        for (var i = 4; i < 4 + later; i++)
            p.OnClientWrite(Req(i), Put($"k{i % 3}", $"v{i}"), 30);
        return p;
    }

    /// <summary>
    /// What l kept: seqs 1..3 as committed in p's history, then 4 and 5 prepared in epoch 2 (l led briefly, cut off) and
    /// never committed anywhere.
    /// </summary>
    private static PartitionReplica Kept(PartitionReplica primary)
    {
        // As the primary wrote them (rebuilt when it has discarded them: a snapshot covers them).
        var committed = primary.Log.Contains(1)
            ? primary.Log.Range(1, 3).ToList()
            : Enumerable.Range(1, 3).Select(seq => new LogEntry(seq, 1, Req(seq), Put($"k{seq}", $"v{seq}"))).ToList();
        var divergent = new[]
        {
            new LogEntry(4, 2, Req(1, "other"), Put("k1", "stale")),
            new LogEntry(5, 2, Req(2, "other"), Put("stale-only", "x")),
        };
        return PartitionReplica.Recover("l", Frequent, new DurableReplicaState(2, 3, null, 0, 0, [.. committed, .. divergent]), 100);
    }

    /// <summary>Delivers wave after wave; whenever p reports l caught up, l's whole log must be p's history.</summary>
    private static List<ReplicaEffect> SettleCheckingCaughtUp(IEnumerable<ReplicaEffect> first, PartitionReplica p, PartitionReplica l, long now)
    {
        var r = new Dictionary<string, PartitionReplica> { ["p"] = p, ["l"] = l };
        var all = new List<ReplicaEffect>(first);
        var wave = all.ToList();
        for (var i = 0; i < 50 && wave.Count > 0; i++)
        {
            wave = Deliver(wave, r, now);
            if (wave.Reports<LearnerCaughtUp>().Any())
            {
                for (var seq = Math.Max(l.Log.BaseSeq, p.Log.BaseSeq) + 1; seq <= l.LastSeq; seq++)
                    l.Log.EpochAt(seq).Should().Be(p.Log.EpochAt(seq), $"l was reported caught up, so its seq {seq} must be the primary's");
                l.LastSeq.Should().BeLessThanOrEqualTo(p.LastSeq, "a caught-up learner holds nothing the primary never had");
            }
            all.AddRange(wave);
        }
        return all;
    }

    private static (long Epoch, RequestId Request, string Key, string Value) Same(LogEntry e) =>
        (e.Epoch, e.Request, S(e.Operation.Key), S(e.Operation.Value));

    [Fact]
    public void A_learner_back_on_kept_storage_drops_its_divergent_suffix_and_gets_only_what_it_missed_without_a_snapshot()
    {
        var p = Primary(later: 5); // commits through 8: snapshots at 3 and 6, the log in memory kept from 4 on
        p.Log.BaseSeq.Should().Be(3);
        var l = Kept(p);
        l.LastSeq.Should().Be(5);
        l.CommitPoint.Should().Be(3);

        var epoch4 = Config(4, "p", [], "l");
        l.OnConfig(epoch4, 100);

        var sent = SettleCheckingCaughtUp(p.OnConfig(epoch4, 100), p, l, 100);
        sent.Messages<CatchUpData>().Should().NotBeEmpty().And.OnlyContain(c => c.Snapshot == null);
        sent.Messages<CatchUpData>().First().PrevSeq.Should().Be(3, "the primary sends from the learner's commit point on");
        l.SnapshotsInstalled.Should().Be(0);
        sent.Reports<LearnerCaughtUp>().Should().NotBeEmpty();
        l.LastSeq.Should().Be(8);
        l.CommitPoint.Should().Be(8);
        for (var seq = Math.Max(l.Log.BaseSeq, p.Log.BaseSeq) + 1; seq <= 8; seq++)
            Same(l.Log[seq]).Should().Be(Same(p.Log[seq]));
        l.State.Pairs.Select(kv => (S(kv.Key), S(kv.Value))).Should().BeEquivalentTo(p.State.Pairs.Select(kv => (S(kv.Key), S(kv.Value))));
        S(l.State.Get(B("stale-only"))).Should().Be("<none>");
    }

    /// <summary>The log in memory keeps two committed entries; nothing is snapshotted; catch-up batches of four.</summary>
    private static readonly ReplicationSettings ShortMemory = Settings with { CommittedEntriesInMemory = 2, MaxBatchEntries = 4, MaxUncommitted = 100 };

    /// <summary>
    /// p wrote k = v1..v40 alone (with its log on disk, or none when not <paramref name="diskRead"/>); l returns (restarted on kept storage) as a
    /// learner holding 1..10 as committed, which p's log in memory has long dropped. Returns everything sent.
    /// </summary>
    private static (PartitionReplica P, PartitionReplica L, List<ReplicaEffect> Sent) ReturnAfterTheLogInMemoryMovedOn(bool diskRead)
    {
        var disk = new SimDisk();
        var p = PartitionReplica.CreateNew("p", ShortMemory);
        p.OnConfig(Config(1, "p", []), 0).Logged(disk);
        for (var i = 1; i <= 40; i++)
            p.OnClientWrite(Req(i), Put("k", $"v{i}"), 10).Logged(disk);
        p.Log.BaseSeq.Should().BeGreaterThan(10, "the log in memory no longer reaches back to l's commit point");

        var l = PartitionReplica.Recover("l", ShortMemory, new DurableReplicaState(1, 10, null, 0, 0, disk.ReadSince(0, 10)!), 100);
        var epoch2 = Config(2, "p", [], "l");
        l.OnConfig(epoch2, 100);
        var r = new Dictionary<string, PartitionReplica> { ["p"] = p, ["l"] = l };
        var sent = Settle(p.OnConfig(epoch2, 100).Logged(disk), r, 100, diskRead ? new Dictionary<string, SimDisk> { ["p"] = disk } : null);
        return (p, l, sent);
    }

    [Fact]
    public void A_replica_back_after_the_log_in_memory_moved_on_gets_what_it_missed_from_the_log_on_disk()
    {
        var (p, l, sent) = ReturnAfterTheLogInMemoryMovedOn(diskRead: true);

        sent.OfType<ReadLog>().Should().NotBeEmpty().And.OnlyContain(r => r.For == "l");
        sent.OfType<ReadLog>().First().AfterSeq.Should().Be(9, "the read starts at l's commit point, whose entry's epoch the batch must name");
        sent.Messages<CatchUpData>("l").Should().NotBeEmpty().And.OnlyContain(c => c.Snapshot == null);
        sent.Messages<CatchUpData>("l").First().PrevSeq.Should().Be(10);
        l.SnapshotsInstalled.Should().Be(0);
        l.CommitPoint.Should().Be(40);
        S(l.State.Get(B("k"))).Should().Be("v40");
        sent.Reports<LearnerCaughtUp>().Should().NotBeEmpty();
        p.Log.BaseSeq.Should().BeGreaterThan(10, "what went from disk was not kept in memory for it");
    }

    [Fact]
    public void A_replica_back_after_the_log_on_disk_was_compacted_gets_a_snapshot()
    {
        var (_, l, sent) = ReturnAfterTheLogInMemoryMovedOn(diskRead: false);

        sent.OfType<ReadLog>().Should().NotBeEmpty();
        sent.Messages<CatchUpData>("l").Should().Contain(c => c.Snapshot != null);
        l.SnapshotsInstalled.Should().Be(1);
        l.CommitPoint.Should().Be(40);
        S(l.State.Get(B("k"))).Should().Be("v40");
    }

    [Fact]
    public void A_restarted_in_sync_replica_keeps_its_prepared_tail_for_the_primary_to_reconcile()
    {
        // Unchanged rule for a replica that returns in sync: its prepared tail may hold entries the primary committed.
        var p = Primary(later: 0);
        var a = PartitionReplica.Recover("a", Frequent,
            new DurableReplicaState(2, 3, null, 0, 0, [.. p.Log.Entries, new LogEntry(4, 2, Req(1, "other"), Put("k1", "stale"))]), 100);
        a.OnConfig(Config(4, "p", ["a"]), 100).OfType<TruncateLogAfter>().Should().BeEmpty();
        a.LastSeq.Should().Be(4);
    }
}
