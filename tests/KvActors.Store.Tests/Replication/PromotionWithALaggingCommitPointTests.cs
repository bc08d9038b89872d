using KvActors.Store.Replication;
using KvActors.Store.Tests.Replication.Simulation;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>
/// A backup is promoted while its commit point lags its prepared log by more than one batch: the old primary committed
/// and acknowledged every entry (both backups prepared them) but died before either backup heard the new commit point.
/// The new primary re-sends that tail one batch at a time and dies, or is cut off, after the other backup saw only part
/// of it. Every acknowledged write must survive on that backup's disk and after the next promotion (PacificA: no replica
/// may drop an entry that may be committed).
/// </summary>
public class PromotionWithALaggingCommitPointTests
{
    private const int Writes = 320;

    private static readonly ReplicationSettings Tuned = Settings with { MaxUncommitted = 1_000 };

    /// <summary>What reaches the other backup of the first promoted primary's reconciliation before that primary is gone.</summary>
    public enum Reconciliation
    {
        FirstBatchOnly,
        FirstBatchTwice,
        FirstBatchThenAHeartbeatResendsIt,
        BothBatchesThenTheFirstAgain,
    }

    [Theory]
    [InlineData(Reconciliation.FirstBatchOnly, 0)]
    [InlineData(Reconciliation.FirstBatchOnly, 50)]
    [InlineData(Reconciliation.FirstBatchTwice, 0)]
    [InlineData(Reconciliation.FirstBatchThenAHeartbeatResendsIt, 0)]
    [InlineData(Reconciliation.BothBatchesThenTheFirstAgain, 0)]
    public void Entries_acknowledged_by_the_old_primary_survive_a_promoted_primary_that_dies_mid_reconciliation(
        Reconciliation order, int commitPointSeenByB)
    {
        Tuned.MaxBatchEntries.Should().BeLessThan(Writes, "the tail must take more than one batch");
        var cluster = new TestCluster(Config(1, "p", ["a", "b"]));
        cluster.Settle(cluster.Input("p", p => p.Tick(20)), 20);

        // p commits and acknowledges every write; a and b prepared them all but saw at most an early commit point.
        var acked = cluster.CommitWithoutTellingTheBackups(commitPointSeenByB);
        acked.Should().HaveCount(Writes);
        cluster["a"].CommitPoint.Should().Be(0);
        cluster["b"].CommitPoint.Should().Be(commitPointSeenByB);
        cluster.Crash("p");

        // p is unreachable: the manager revokes its lease and promotes a (equal logs, first by name).
        var manager = new ConfigurationManager(Config(1, "p", ["a", "b"]), Tuned);
        cluster.Manage(manager, manager.OnUnreachable("p", 1_000), 1_000);
        cluster.Manage(manager, manager.Tick(2_000), 2_000);
        manager.Config.Primary.Should().Be("a");
        manager.Config.InSync.Should().Equal("b");

        // b adopts epoch 2 first, then a, which starts re-sending its prepared tail from its commit point.
        cluster.Input("b", b => b.OnConfig(manager.Config, 2_000));
        var reconcile = cluster.Input("a", a => a.OnConfig(manager.Config, 2_000)).Messages<Prepare>("b").Single();
        reconcile.PrevSeq.Should().Be(0);
        reconcile.Entries.Should().HaveCount(Tuned.MaxBatchEntries);
        switch (order)
        {
            case Reconciliation.FirstBatchOnly:
                cluster.Input("b", b => b.OnMessage(reconcile, 2_001)); // the ack is lost
                break;
            case Reconciliation.FirstBatchTwice:
                cluster.Input("b", b => b.OnMessage(reconcile, 2_001));
                cluster.Input("b", b => b.OnMessage(reconcile, 2_002));
                break;
            case Reconciliation.FirstBatchThenAHeartbeatResendsIt:
                cluster.Input("b", b => b.OnMessage(reconcile, 2_001)); // the ack is lost; a resends from its commit point
                var resend = cluster.Input("a", a => a.Tick(2_000 + Tuned.HeartbeatIntervalMs)).Messages<Prepare>("b").Single();
                resend.PrevSeq.Should().Be(0);
                cluster.Input("b", b => b.OnMessage(resend, 2_030));
                break;
            case Reconciliation.BothBatchesThenTheFirstAgain:
                var ack = cluster.Input("b", b => b.OnMessage(reconcile, 2_001));
                var second = cluster.Deliver(ack, 2_002).Messages<Prepare>("b").Single();
                second.Entries.Select(e => e.Seq).Should().Equal(Enumerable.Range(Tuned.MaxBatchEntries + 1, Writes - Tuned.MaxBatchEntries).Select(i => (long)i));
                cluster.Input("b", b => b.OnMessage(second, 2_003)); // a dies before this ack arrives
                cluster.Input("b", b => b.OnMessage(reconcile, 2_004)); // a late duplicate of the first batch
                break;
        }
        cluster.Crash("a");

        foreach (var node in new[] { "a", "b" })
            cluster.MissingCommitted(cluster.Disk(node).ToDurable().Log).Should().BeEmpty($"{node}'s disk must keep every entry the old primary committed");
        cluster.MissingCommitted(cluster["b"].Log.Entries).Should().BeEmpty("b's log must keep every entry the old primary committed");

        // b stops hearing from a, suspects it after the grace period, and the manager promotes b.
        var suspectedAt = 2_100 + Tuned.GracePeriodMs;
        var suspicion = cluster.Input("b", b => b.Tick(suspectedAt));
        suspicion.Reports<PrimarySuspected>().Should().ContainSingle();
        foreach (var report in suspicion.Reports<PrimarySuspected>())
            cluster.Manage(manager, manager.OnReport(report, suspectedAt), suspectedAt);
        cluster.Manage(manager, manager.Tick(5_000), 5_000);
        manager.Config.Epoch.Should().Be(3);
        manager.Config.Primary.Should().Be("b");
        cluster.Input("b", b => b.OnConfig(manager.Config, 5_000));
        cluster.Settle(cluster.Input("b", b => b.Tick(5_100)), 5_100);

        var promoted = cluster["b"];
        promoted.IsServing(5_100).Should().BeTrue();
        promoted.CommitPoint.Should().Be(Writes);
        foreach (var write in acked)
        {
            S(promoted.State.Get(B($"k{write.Request.Sequence}"))).Should().Be($"v{write.Request.Sequence}");
            var read = promoted.OnClientRead(Req(10_000 + write.Request.Sequence), B($"k{write.Request.Sequence}"), ReadMode.Leased, 5_101);
            S(read.Replies<ReadDone>().Single().Value).Should().Be($"v{write.Request.Sequence}");
        }

        // a restarts from its disk, rejoins as a learner of b and ends with the same state.
        cluster.Restart("a", 6_000);
        cluster.Settle(cluster.Input("a", a => a.OnConfig(manager.Config, 6_000)), 6_000);
        cluster.Settle(cluster.Input("b", b => b.Tick(6_100)), 6_100);
        cluster["a"].CommitPoint.Should().Be(Writes);
        cluster["a"].State.Pairs.Select(kv => (S(kv.Key), S(kv.Value)))
            .Should().BeEquivalentTo(promoted.State.Pairs.Select(kv => (S(kv.Key), S(kv.Value))));
    }

    /// <summary>Replicas by name, each with a <see cref="SimDisk"/> fed every effect it emits; crashed ones are gone.</summary>
    private sealed class TestCluster
    {
        private readonly Dictionary<string, PartitionReplica> live = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SimDisk> disks = new(StringComparer.Ordinal);

        public TestCluster(PartitionConfig config)
        {
            foreach (var name in config.Members)
            {
                live[name] = PartitionReplica.CreateNew(name, Tuned);
                disks[name] = new SimDisk();
                Input(name, r => r.OnConfig(config, 0));
            }
        }

        public PartitionReplica this[string name] => live[name];

        public SimDisk Disk(string name) => disks[name];

        /// <summary>The old primary's log, as it committed it.</summary>
        public IReadOnlyList<LogEntry> OldPrimaryLog { get; private set; } = [];

        public IReadOnlyList<ReplicaEffect> Input(string name, Func<PartitionReplica, IReadOnlyList<ReplicaEffect>> input)
        {
            var effects = input(live[name]);
            disks[name].Persist(effects);
            return effects;
        }

        /// <summary>Delivers the messages among <paramref name="effects"/> to live replicas; what they emitted.</summary>
        public List<ReplicaEffect> Deliver(IEnumerable<ReplicaEffect> effects, long now)
        {
            var produced = new List<ReplicaEffect>();
            foreach (var send in effects.OfType<SendToReplica>().ToArray())
                if (live.ContainsKey(send.To))
                    produced.AddRange(Input(send.To, r => r.OnMessage(send.Message, now)));
            return produced;
        }

        public void Settle(IEnumerable<ReplicaEffect> effects, long now)
        {
            var wave = effects.ToList();
            for (var i = 0; i < 50 && wave.Count > 0; i++)
                wave = Deliver(wave, now);
        }

        /// <summary>Carries the manager's lease revocations to live replicas and their answers back; configurations are delivered by the test, in the order it chooses.</summary>
        public void Manage(ConfigurationManager manager, IReadOnlyList<ManagerSend> sends, long now)
        {
            foreach (var send in sends)
            {
                if (!live.ContainsKey(send.To) || send.Message is not RevokeLease revoke)
                    continue;
                var reports = Input(send.To, r => r.OnRevokeLease(revoke.Epoch, now));
                foreach (var report in reports.Reports<ManagerReport>())
                    Manage(manager, manager.OnReport(report, now), now);
            }
        }

        /// <summary>
        /// The primary p takes <see cref="Writes"/> writes (key k{n} = v{n}); a and b prepare them all before any
        /// acknowledgement reaches p, then p commits them all. b hears commit point <paramref name="commitPointSeenByB"/>
        /// (0: none), a none. Returns p's acknowledgements.
        /// </summary>
        public List<WriteDone> CommitWithoutTellingTheBackups(int commitPointSeenByB)
        {
            var prepares = new List<ReplicaEffect>();
            for (var n = 1; n <= Writes; n++)
            {
                var i = n;
                prepares.AddRange(Input("p", p => p.OnClientWrite(Req(i), Put($"k{i}", $"v{i}"), 30)));
            }
            var acks = Deliver(prepares, 31).Messages<PrepareAck>().ToList();
            var done = new List<ReplicaEffect>();
            if (commitPointSeenByB > 0)
            {
                // p commits the first writes and its next heartbeat, carrying that commit point, reaches b only.
                done.AddRange(Deliver(acks.Where(a => a.PreparedThrough <= commitPointSeenByB).Select(a => new SendToReplica("p", a)), 32));
                var heartbeat = Input("p", p => p.Tick(60)).Where(e => e is SendToReplica { To: "b" });
                Deliver(heartbeat, 61); // b's acknowledgement is lost
            }
            done.AddRange(Deliver(acks.Where(a => a.PreparedThrough > commitPointSeenByB).Select(a => new SendToReplica("p", a)), 62));
            live["p"].CommitPoint.Should().Be(Writes);
            OldPrimaryLog = live["p"].Log.Entries.Where(e => e.Seq <= Writes).ToArray();
            return done.Replies<WriteDone>().ToList();
        }

        /// <summary>The seqs (as ranges) of the old primary's committed entries that <paramref name="log"/> lacks or holds differently.</summary>
        public string MissingCommitted(IEnumerable<LogEntry> log)
        {
            var held = log.ToDictionary(e => e.Seq);
            var missing = OldPrimaryLog.Where(e => held.GetValueOrDefault(e.Seq) != e).Select(e => e.Seq).ToList();
            var ranges = new List<string>();
            for (var i = 0; i < missing.Count;)
            {
                var j = i;
                while (j + 1 < missing.Count && missing[j + 1] == missing[j] + 1)
                    j++;
                ranges.Add(i == j ? $"{missing[i]}" : $"{missing[i]}-{missing[j]}");
                i = j + 1;
            }
            return string.Join(", ", ranges);
        }

        public void Crash(string name) => live.Remove(name);

        public void Restart(string name, long now) =>
            live[name] = PartitionReplica.Recover(name, Tuned, disks[name].ToDurable(), now);
    }
}
