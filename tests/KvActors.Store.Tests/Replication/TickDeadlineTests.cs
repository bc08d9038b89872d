using KvActors.Store.Replication;
using KvActors.Store.Tests.Replication.Simulation;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>
/// <see cref="PartitionReplica.NextTickAt"/>: when a replica next needs a tick (the actor shell skips the others), and
/// that a tick before that time does nothing while one at it does what the deadline was for.
/// </summary>
public class TickDeadlineTests
{
    private static readonly PartitionConfig Epoch1 = Config(1, "p", ["a", "b"]);
    private const long Wall = 1_700_000_000_000;

    /// <summary>Every member adopted epoch 1 at 0 and answered the primary's first heartbeat at 20.</summary>
    private static Dictionary<string, PartitionReplica> Established(ReplicationSettings? settings = null)
    {
        var replicas = Cluster(Epoch1, settings: settings);
        Settle(replicas["p"].Tick(20), replicas, 20);
        return replicas;
    }

    [Fact]
    public void An_idle_primary_needs_a_tick_only_when_its_next_heartbeat_is_due()
    {
        var r = Established();
        var p = r["p"];
        var due = p.NextTickAt(21);
        due.Should().Be(20 + Settings.HeartbeatIntervalMs, "the last heartbeat went at 20");

        p.Tick(due - 1).Should().BeEmpty();
        var beat = p.Tick(due);
        beat.Messages<Prepare>().Select(m => m.Entries.Count).Should().Equal([0, 0], "an empty heartbeat to each replica");
        Settle(beat, r, due);
        p.NextTickAt(due).Should().Be(due + Settings.HeartbeatIntervalMs);
    }

    [Fact]
    public void A_heartbeat_due_within_the_slack_goes_with_the_current_tick()
    {
        var settings = Settings with { HeartbeatSlackMs = 5 };
        var r = Established(settings);
        var p = r["p"];
        p.NextTickAt(21).Should().Be(20 + settings.HeartbeatIntervalMs - 5);
        p.Tick(20 + settings.HeartbeatIntervalMs - 6).Should().BeEmpty();
        p.Tick(20 + settings.HeartbeatIntervalMs - 5).Messages<Prepare>().Should().HaveCount(2);
    }

    [Fact]
    public void A_replica_hearing_its_primary_pushes_its_deadline_on_and_suspects_at_the_end_of_the_grace_period()
    {
        var r = Established();
        var a = r["a"];
        a.NextTickAt(21).Should().Be(20 + Settings.GracePeriodMs + 1, "it last heard the primary at 20");

        Deliver(r["p"].Tick(40), r, 45, "a");
        var due = a.NextTickAt(46);
        due.Should().Be(45 + Settings.GracePeriodMs + 1);

        a.Tick(due - 1).Should().BeEmpty();
        a.Tick(due).Reports<PrimarySuspected>().Should().ContainSingle();
        a.NextTickAt(due).Should().Be(due + Settings.ReportIntervalMs, "the suspicion is repeated until acted on");
    }

    [Fact]
    public void A_learner_needs_no_tick_and_a_replica_waiting_for_a_configuration_asks_again_each_report_interval()
    {
        var learner = Cluster(Config(1, "p", ["a"], "l"))["l"];
        learner.NextTickAt(5).Should().Be(long.MaxValue);

        var waiting = PartitionReplica.Recover("w", Settings, new SimDisk().ToDurable(), 100);
        waiting.NextTickAt(100).Should().BeLessThanOrEqualTo(100, "it has not asked to join yet");
        waiting.Tick(100).Reports<JoinRequest>().Should().ContainSingle();
        waiting.NextTickAt(101).Should().Be(100 + Settings.ReportIntervalMs);
        waiting.Tick(100 + Settings.ReportIntervalMs - 1).Should().BeEmpty();
    }

    [Fact]
    public void A_primary_whose_replica_went_silent_gets_a_tick_when_the_ack_timeout_runs_out()
    {
        var r = Established();
        var p = r["p"];
        var silentAt = 20 + Settings.AckTimeoutMs + 1; // a answered last at 20; from now on only b answers
        long now = 20;
        IReadOnlyList<ReplicaEffect> effects = [];
        while (now < silentAt)
        {
            now = Math.Max(now + 1, p.NextTickAt(now));
            effects = p.Tick(now);
            Deliver(Deliver(effects, r, now, "b"), r, now);
        }
        now.Should().Be(silentAt, "the ack timeout is a deadline of its own");
        effects.Reports<ReplicaSilent>().Should().ContainSingle().Which.Replica.Should().Be("a");
    }

    [Fact]
    public void A_primary_holding_a_key_that_expires_later_needs_a_tick_when_it_expires()
    {
        var r = Established();
        var p = r["p"];
        Settle(p.OnClientCommand(Req(1), new SetCommand(B("k"), B("v"), Expiry: Expiry.After(5_000)), 30, Wall, 1 << 20), r, 30);
        Settle(p.Tick(40, Wall + 10), r, 40); // commits it
        var expiresAt = p.State.ExpiryOf(B("k"));
        var heartbeat = 30 + Settings.HeartbeatIntervalMs; // the write went to the replicas at 30

        p.NextTickAt(41).Should().Be(heartbeat, "without the wall clock there is no expiry deadline");
        p.NextTickAt(41, expiresAt - 990).Should().Be(heartbeat, "the heartbeat is due first");
        p.NextTickAt(41, expiresAt - 5).Should().Be(46);
        p.NextTickAt(41, expiresAt + 1).Should().BeLessThanOrEqualTo(41, "an expired key is due now");
    }

    [Fact]
    public void Heartbeat_slack_must_be_shorter_than_the_heartbeat_interval()
    {
        var bad = () => (Settings with { HeartbeatSlackMs = Settings.HeartbeatIntervalMs }).Validated();
        bad.Should().Throw<ArgumentException>().WithMessage("*HeartbeatSlackMs*");
    }
}
