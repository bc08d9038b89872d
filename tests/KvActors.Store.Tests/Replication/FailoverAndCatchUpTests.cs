using KvActors.Store.Replication;
using KvActors.Store.Tests.Replication.Simulation;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>A promoted primary reconciles and outwaits the old lease before serving; restarts; learner catch-up.</summary>
public class FailoverAndCatchUpTests
{
    private static readonly PartitionConfig Epoch1 = Config(1, "p", ["a", "b"]);

    private static Dictionary<string, PartitionReplica> Established()
    {
        var replicas = Cluster(Epoch1);
        Settle(replicas["p"].Tick(20), replicas, 20);
        return replicas;
    }

    [Fact]
    public void A_promoted_replica_commits_its_prepared_tail_through_the_others_before_it_serves()
    {
        var r = Established();
        Settle(r["p"].OnClientWrite(Req(1), Put("k", "one"), 30), r, 30);
        // Seq 2 reaches a only, then p dies: prepared at a, never committed.
        var toA = Deliver(r["p"].OnClientWrite(Req(2), Put("k", "two"), 40), r, 40, "a");
        toA.Messages<PrepareAck>().Single().PreparedThrough.Should().Be(2);
        r.Remove("p");

        var epoch2 = Config(2, "a", ["b"]);
        r["b"].OnConfig(epoch2, 1_000);
        var a = r["a"];
        var promoted = a.OnConfig(epoch2, 1_000);
        a.IsServing(1_000).Should().BeFalse("seq 2 is not committed yet");
        a.OnClientRead(Req(3), B("k"), ReadMode.Leased, 1_000).Replies<RetryLater>().Should().ContainSingle();
        a.OnClientWrite(Req(2), Put("k", "two"), 1_000).Should().BeEmpty("the retry waits for the tail entry");

        var reconcile = promoted.Messages<Prepare>("b").Single();
        reconcile.Entries.Select(e => (e.Seq, e.Epoch)).Should().Equal((2L, 1L));
        var done = Settle(promoted, r, 1_001);
        done.Replies<WriteDone>().Should().ContainSingle().Which.Should().Be(new WriteDone(Req(2), new WriteResult(true), 2, new CommandResult(true)));
        a.CommitPoint.Should().Be(2);
        a.IsServing(1_001).Should().BeTrue();
        S(a.OnClientRead(Req(4), B("k"), ReadMode.Leased, 1_002).Replies<ReadDone>().Single().Value).Should().Be("two");
        r["b"].LastSeq.Should().Be(2);
    }

    [Fact]
    public void A_promoted_replica_outwaits_the_lease_it_granted_before_it_answers()
    {
        var r = Established();
        Settle(r["p"].Tick(40), r, 40); // a and b last granted p a lease at 40
        r.Remove("p");
        var epoch2 = Config(2, "a", ["b"]);
        r["b"].OnConfig(epoch2, 50);
        var a = r["a"];
        Settle(a.OnConfig(epoch2, 50), r, 50);

        var notBefore = 40 + Settings.LeasePeriodMs + Settings.LeaseMarginMs;
        a.IsServing(notBefore - 1).Should().BeFalse("p may hold a lease from a until 140");
        Settle(a.OnClientWrite(Req(1), Put("k", "v"), 60), r, 60).Replies<WriteDone>().Should().BeEmpty();
        a.OnClientRead(Req(2), B("k"), ReadMode.Leased, 60).Replies<RetryLater>().Should().ContainSingle();

        a.Tick(notBefore).Replies<WriteDone>().Should().ContainSingle().Which.Request.Should().Be(Req(1));
        a.IsServing(notBefore).Should().BeTrue();
    }

    [Fact]
    public void A_replica_that_suspected_the_primary_serves_without_further_wait_when_promoted()
    {
        var r = Established();
        var a = r["a"];
        a.Tick(200).Reports<PrimarySuspected>().Single().SinceLastGrantMs.Should().Be(180);
        var epoch2 = Config(2, "a", ["b"]);
        r["b"].OnConfig(epoch2, 200);
        Settle(a.OnConfig(epoch2, 200), r, 200);
        a.IsServing(200).Should().BeTrue("its last grant (20) plus lease and margin is long past");
    }

    [Fact]
    public void A_restarted_replica_recovers_its_durable_log_and_acts_only_in_a_newer_epoch()
    {
        var r = Cluster(Epoch1);
        var disk = new SimDisk();
        var everything = new List<ReplicaEffect>();
        // Record everything a emits while p writes twice and commits.
        foreach (var replica in r.Values)
            replica.OnConfig(Epoch1, 0);
        var wave = r["p"].Tick(20).Concat(r["p"].OnClientWrite(Req(1), Put("k", "v"), 20)).ToList();
        for (var i = 0; i < 10 && wave.Count > 0; i++)
        {
            var next = new List<ReplicaEffect>();
            foreach (var send in wave.OfType<SendToReplica>())
            {
                var produced = r[send.To].OnMessage(send.Message, 21);
                if (send.To == "a")
                    everything.AddRange(produced);
                next.AddRange(produced);
            }
            wave = next;
        }
        Settle(r["p"].Tick(60), r, 60); // carries the commit point
        disk.Persist(PartitionReplica.CreateNew("a", Settings).OnConfig(Epoch1, 0)).Persist(everything);
        r["a"].CommitPoint.Should().Be(1);

        var recovered = PartitionReplica.Recover("a", Settings, disk.ToDurable(), 500);
        recovered.Epoch.Should().Be(1);
        recovered.Role.Should().Be(ReplicaRole.Waiting);
        recovered.LastSeq.Should().Be(1);

        recovered.OnConfig(Epoch1, 510).Reports<JoinRequest>().Should().ContainSingle().Which.Restarted.Should().BeTrue();
        recovered.Role.Should().Be(ReplicaRole.Waiting, "it may have granted a lease in epoch 1 just before the crash");
        recovered.OnMessage(new Prepare(1, "p", 1, 1, [], 1, 520), 520).Messages<PrepareAck>().Should().BeEmpty();

        recovered.OnConfig(Config(2, "p", ["a", "b"]), 530).OfType<RecordEpoch>().Single().Epoch.Should().Be(2);
        recovered.Role.Should().Be(ReplicaRole.InSync);
        var ack = recovered.OnMessage(new Prepare(2, "p", 1, 1, [], 1, 540), 540).Messages<PrepareAck>().Single();
        ack.PreparedThrough.Should().Be(1);
        S(recovered.State.Get(B("k"))).Should().Be("v");
    }

    [Fact]
    public void A_learner_catches_up_from_a_snapshot_is_reported_caught_up_and_then_counts_for_commits()
    {
        var settings = Settings with { SnapshotEveryCommits = 3, CommittedEntriesInMemory = 2, MaxUncommitted = 100 };
        var p = PartitionReplica.CreateNew("p", settings);
        p.OnConfig(Config(1, "p", []), 0);
        for (var i = 1; i <= 7; i++)
            p.OnClientWrite(Req(i), Put($"k{i % 3}", $"v{i}"), 10).Replies<WriteDone>().Should().ContainSingle("a primary alone commits at once");
        p.Log.BaseSeq.Should().Be(4, "the log in memory keeps two committed entries at least, trimmed two at a time");

        var epoch2 = Config(2, "p", [], "l");
        var l = PartitionReplica.CreateNew("l", settings);
        l.OnConfig(epoch2, 100);
        var r = new Dictionary<string, PartitionReplica> { ["p"] = p, ["l"] = l };

        var first = Deliver(p.OnConfig(epoch2, 100), r, 100);
        first.Messages<NeedsCatchUp>("p").Single().FromSeq.Should().Be(1);
        var data = Deliver(first, r, 101);
        var catchUp = data.Messages<CatchUpData>("l").Single();
        catchUp.Snapshot.Should().NotBeNull("seqs 1-3 are no longer in the log");
        catchUp.Snapshot!.Seq.Should().Be(7);

        var installed = Deliver(data, r, 102);
        installed.OfType<InstallSnapshot>().Should().ContainSingle();
        var reported = Deliver(installed, r, 103);
        reported.Reports<LearnerCaughtUp>().Should().ContainSingle().Which.Should().Be(new LearnerCaughtUp(2, "p", "l"));
        l.State.Pairs.Select(kv => (S(kv.Key), S(kv.Value))).Should().BeEquivalentTo(p.State.Pairs.Select(kv => (S(kv.Key), S(kv.Value))));

        // Until the manager moves it into the in-sync set, commits wait for it as well.
        var write = p.OnClientWrite(Req(8), Put("k", "v8"), 110);
        write.Replies<WriteDone>().Should().BeEmpty();
        Settle(write, r, 111).Replies<WriteDone>().Should().ContainSingle();
    }

    private static readonly ReplicationSettings ShortLog = Settings with { SnapshotEveryCommits = 40, CommittedEntriesInMemory = 2, MaxUncommitted = 200, MaxBatchEntries = 4 };

    /// <summary>
    /// p wrote 1..20 alone; learner l installed a snapshot at 10, and its acknowledgement reached p after 11..20 were
    /// committed without it. Returns what p sent l since (entries from 11 on), not delivered yet.
    /// </summary>
    private static (PartitionReplica P, PartitionReplica L, Dictionary<string, PartitionReplica> R, List<ReplicaEffect> Sent) LearnerBehind()
    {
        var p = PartitionReplica.CreateNew("p", ShortLog);
        p.OnConfig(Config(1, "p", []), 0);
        for (var i = 1; i <= 10; i++)
            p.OnClientWrite(Req(i), Put("k", $"v{i}"), 10);
        p.Log.BaseSeq.Should().Be(8, "alone, the primary keeps two committed entries, trimmed two at a time");

        var epoch2 = Config(2, "p", [], "l");
        var l = PartitionReplica.CreateNew("l", ShortLog);
        l.OnConfig(epoch2, 100);
        var r = new Dictionary<string, PartitionReplica> { ["p"] = p, ["l"] = l };
        // asked; the log on disk read (these replicas have none: compacted); snapshot sent; installed
        var ack = Deliver(Deliver(Deliver(Deliver(p.OnConfig(epoch2, 100), r, 100), r, 101), r, 101), r, 102);
        l.SnapshotsInstalled.Should().Be(1);
        ack.Messages<PrepareAck>("p").Should().NotBeEmpty();
        var sent = new List<ReplicaEffect>();
        for (var i = 11; i <= 20; i++)
        {
            var effects = p.OnClientWrite(Req(i), Put("k", $"v{i}"), 110);
            effects.Replies<WriteDone>().Should().ContainSingle("a learner not caught up does not hold commits");
            sent.AddRange(effects);
        }
        sent.AddRange(Deliver(ack, r, 111));
        sent.Messages<ReplicationMessage>("l").Should().NotBeEmpty();
        return (p, l, r, sent);
    }

    [Fact]
    public void The_log_in_memory_keeps_what_a_learner_catching_up_still_needs()
    {
        var (p, l, r, sent) = LearnerBehind();
        for (var i = 21; i <= 30; i++)
            sent.AddRange(p.OnClientWrite(Req(i), Put("k", $"v{i}"), 120));
        p.CommitPoint.Should().Be(30);
        p.Log.BaseSeq.Should().BeLessThanOrEqualTo(10, "the learner acknowledged through 10 and still needs the rest");

        Settle(sent, r, 130);
        Settle(p.Tick(130 + ShortLog.HeartbeatIntervalMs), r, 130 + ShortLog.HeartbeatIntervalMs); // carries the last commit point
        l.SnapshotsInstalled.Should().Be(1, "the rest came from the log");
        l.CommitPoint.Should().Be(30);
        S(l.State.Get(B("k"))).Should().Be("v30");
    }

    [Fact]
    public void A_learner_that_stops_answering_holds_back_no_more_log_than_the_disk_keeps()
    {
        var (p, l, r, _) = LearnerBehind(); // what p sends l from here on is lost
        for (var i = 21; i <= 150; i++)
            p.OnClientWrite(Req(i), Put("k", $"v{i}"), 120);
        p.CommitPoint.Should().Be(150);
        p.Log.Count.Should().BeLessThanOrEqualTo(80, "no further back than the previous snapshot (snapshots every 40 commits)");
        p.Log.BaseSeq.Should().BeGreaterThan(10);

        // The learner answers again: p resends from what it acknowledged, which only a snapshot covers now.
        Settle(p.Tick(ShortLog.AckTimeoutMs + 200), r, ShortLog.AckTimeoutMs + 200);
        l.SnapshotsInstalled.Should().Be(2);
        l.CommitPoint.Should().Be(150);
        S(l.State.Get(B("k"))).Should().Be("v150");
    }

    /// <summary>p leads a in epoch 1 and has written k = v1..v50, every message delivered; each has its log on disk.</summary>
    private static (PartitionReplica P, PartitionReplica A, Dictionary<string, PartitionReplica> R, Dictionary<string, SimDisk> Disks) PrimaryAndReplicaAfter50Writes(ReplicationSettings settings)
    {
        var p = PartitionReplica.CreateNew("p", settings);
        var a = PartitionReplica.CreateNew("a", settings);
        var r = new Dictionary<string, PartitionReplica> { ["p"] = p, ["a"] = a };
        var disks = new Dictionary<string, SimDisk> { ["p"] = new(), ["a"] = new() };
        var epoch1 = Config(1, "p", ["a"]);
        a.OnConfig(epoch1, 0).Logged(disks["a"]);
        Settle(p.OnConfig(epoch1, 0).Logged(disks["p"]), r, 0, disks);
        for (var i = 1; i <= 50; i++)
            Settle(p.OnClientWrite(Req(i), Put("k", $"v{i}"), 10 + i).Logged(disks["p"]), r, 10 + i, disks);
        return (p, a, r, disks);
    }

    /// <summary>Snapshots every 20 commits, two committed entries kept in memory, batches of four.</summary>
    private static readonly ReplicationSettings SnapshotsWellInsideMaxUncommitted =
        Settings with { SnapshotEveryCommits = 20, CommittedEntriesInMemory = 2, MaxBatchEntries = 4, MaxUncommitted = 4_096 };

    /// <summary>
    /// The ring leaves a out while p goes on past one more snapshot; p's log in memory no longer reaches back to a's
    /// commit point, but the log on disk does (back to the previous snapshot): a, back, is read what it missed from there.
    /// </summary>
    [Fact]
    public void A_replica_the_ring_left_out_is_read_what_it_missed_from_the_log_on_disk_when_it_comes_back()
    {
        var settings = SnapshotsWellInsideMaxUncommitted;
        var (p, a, r, disks) = PrimaryAndReplicaAfter50Writes(settings);
        a.CommitPoint.Should().BeGreaterThanOrEqualTo(45);
        var returnsAfter = a.CommitPoint;

        // a falls silent and the ring leaves it out; p goes on alone, past one more snapshot (at 60).
        var epoch2 = Config(2, "p", []);
        p.OnConfig(epoch2, 70).Logged(disks["p"]);
        for (var i = 51; i <= 70; i++)
            p.OnClientWrite(Req(i), Put("k", $"v{i}"), 80).Logged(disks["p"]).Replies<WriteDone>().Should().ContainSingle();
        p.Log.BaseSeq.Should().BeGreaterThan(returnsAfter, "the log in memory keeps nothing for a replica away");

        // a comes back as a learner: it gets only what it missed, from the log on disk, then from memory.
        var epoch3 = Config(3, "p", [], "a");
        a.OnConfig(epoch3, 90).Logged(disks["a"]);
        var sent = Settle(p.OnConfig(epoch3, 90).Logged(disks["p"]), r, 90, disks);
        sent.OfType<ReadLog>().Should().ContainSingle().Which.AfterSeq.Should().Be(returnsAfter - 1);
        a.SnapshotsInstalled.Should().Be(0);
        a.LastSeq.Should().Be(70);
        S(a.State.Get(B("k"))).Should().Be("v70");
    }

    /// <summary>
    /// a crashes holding prepared entries beyond its commit point (its acknowledgements of them lost), and the ring
    /// leaves it out: when it returns it asks for the log after its commit point, and gets it from the log on disk.
    /// </summary>
    [Fact]
    public void A_replica_back_with_a_prepared_tail_past_its_commit_point_catches_up_from_the_log()
    {
        var settings = Settings with { CommittedEntriesInMemory = 2, MaxBatchEntries = 4, SnapshotEveryCommits = 1_000 };
        var (p, a, r, disks) = PrimaryAndReplicaAfter50Writes(settings);
        for (var i = 51; i <= 55; i++)
            Deliver(p.OnClientWrite(Req(i), Put("k", $"v{i}"), 70).Logged(disks["p"]), r, 70, disks); // a logs them; its acks are lost
        a.LastSeq.Should().BeGreaterThan(a.CommitPoint, "a holds prepared entries past its commit point");

        var epoch2 = Config(2, "p", []);
        p.OnConfig(epoch2, 80).Logged(disks["p"]);
        for (var i = 56; i <= 120; i++)
            p.OnClientWrite(Req(i), Put("k", $"v{i}"), 90).Logged(disks["p"]);

        var epoch3 = Config(3, "p", [], "a");
        a.OnConfig(epoch3, 100).Logged(disks["a"]);
        Settle(p.OnConfig(epoch3, 100).Logged(disks["p"]).Concat(p.Tick(400, 0).Logged(disks["p"])), r, 400, disks);
        a.SnapshotsInstalled.Should().Be(0);
        a.LastSeq.Should().Be(p.LastSeq, "a got what it missed from the log");
        a.CommitPoint.Should().Be(p.CommitPoint);
        disks["a"].ReadSince(59, 1)!.Single().Epoch.Should().Be(2, "a logged the entries of the epoch it missed");
    }

    /// <summary>
    /// The ring drops silent replica b, then hands the primary from p to a (a rebalance), which goes on past one more
    /// snapshot. b returns under a and catches up from a's log on disk, which a kept as a replica as p did.
    /// </summary>
    [Fact]
    public void A_primary_handed_over_serves_a_returning_replica_from_its_own_log_on_disk()
    {
        var settings = SnapshotsWellInsideMaxUncommitted;
        var p = PartitionReplica.CreateNew("p", settings);
        var a = PartitionReplica.CreateNew("a", settings);
        var b = PartitionReplica.CreateNew("b", settings);
        var all = new Dictionary<string, PartitionReplica> { ["p"] = p, ["a"] = a, ["b"] = b };
        var disks = new Dictionary<string, SimDisk> { ["p"] = new(), ["a"] = new(), ["b"] = new() };
        var epoch1 = Config(1, "p", ["a", "b"]);
        a.OnConfig(epoch1, 0).Logged(disks["a"]);
        b.OnConfig(epoch1, 0).Logged(disks["b"]);
        Settle(p.OnConfig(epoch1, 0).Logged(disks["p"]), all, 0, disks);
        for (var i = 1; i <= 50; i++)
            Settle(p.OnClientWrite(Req(i), Put("k", $"v{i}"), 10 + i).Logged(disks["p"]), all, 10 + i, disks);
        var bReturnsAfter = b.CommitPoint;
        bReturnsAfter.Should().BeGreaterThanOrEqualTo(45);

        // b falls silent; the ring drops it, and p and a go on.
        var live = new Dictionary<string, PartitionReplica> { ["p"] = p, ["a"] = a };
        var epoch2 = Config(2, "p", ["a"]);
        a.OnConfig(epoch2, 100).Logged(disks["a"]);
        Settle(p.OnConfig(epoch2, 100).Logged(disks["p"]), live, 100, disks);
        for (var i = 51; i <= 58; i++)
            Settle(p.OnClientWrite(Req(i), Put("k", $"v{i}"), 110 + i).Logged(disks["p"]), live, 110 + i, disks);

        // The ring hands the primary to a; a serves once p's lease is over, past one more snapshot (at 60).
        var epoch3 = Config(3, "a", ["p"]);
        p.OnConfig(epoch3, 300).Logged(disks["p"]);
        Settle(a.OnConfig(epoch3, 300).Logged(disks["a"]), live, 300, disks);
        Settle(a.Tick(1_000, 0).Logged(disks["a"]), live, 1_000, disks);
        for (var i = 59; i <= 75; i++)
            Settle(a.OnClientWrite(Req(i), Put("k", $"v{i}"), 1_000 + i).Logged(disks["a"]), live, 1_000 + i, disks);
        a.CommitPoint.Should().Be(75);
        a.Log.BaseSeq.Should().BeGreaterThan(bReturnsAfter, "the log in memory keeps nothing for a replica away");

        // b comes back as a learner under a: only what it missed, from a's log on disk.
        var epoch4 = Config(4, "a", ["p"], "b");
        b.OnConfig(epoch4, 1_200).Logged(disks["b"]);
        p.OnConfig(epoch4, 1_200).Logged(disks["p"]);
        var sent = Settle(a.OnConfig(epoch4, 1_200).Logged(disks["a"]), all, 1_200, disks);
        sent.OfType<ReadLog>().Should().NotBeEmpty();
        b.SnapshotsInstalled.Should().Be(0);
        b.LastSeq.Should().Be(75);
        S(b.State.Get(B("k"))).Should().Be("v75");
    }

    [Fact]
    public void A_lagging_learner_catches_up_from_the_log_while_the_log_still_reaches_back()
    {
        var settings = Settings with { SnapshotEveryCommits = 3, MaxUncommitted = 100 };
        var p = PartitionReplica.CreateNew("p", settings);
        p.OnConfig(Config(1, "p", []), 0);
        for (var i = 1; i <= 5; i++)
            p.OnClientWrite(Req(i), Put("k", $"v{i}"), 10);
        p.Log.BaseSeq.Should().Be(0, "the first snapshot (at 3) keeps the log back to the start");

        var epoch2 = Config(2, "p", [], "l");
        var l = PartitionReplica.CreateNew("l", settings);
        l.OnConfig(epoch2, 100);
        var r = new Dictionary<string, PartitionReplica> { ["p"] = p, ["l"] = l };
        var sent = Settle(p.OnConfig(epoch2, 100), r, 100);

        sent.Messages<NeedsCatchUp>().Single().FromSeq.Should().Be(1);
        sent.Messages<CatchUpData>().Single().Should().Match<CatchUpData>(c => c.Snapshot == null && c.Entries.Count == 5);
        l.LastSeq.Should().Be(5);
        l.CommitPoint.Should().Be(5);
        S(l.State.Get(B("k"))).Should().Be("v5");
        sent.Reports<LearnerCaughtUp>().Should().ContainSingle();
    }
}
