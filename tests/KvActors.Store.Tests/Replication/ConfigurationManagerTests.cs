using KvActors.Store.Replication;
using static KvActors.Store.Tests.Replication.ReplicationTestKit;

namespace KvActors.Store.Tests.Replication;

/// <summary>The configuration manager: one change per epoch, failover only after the old lease, epochs only grow.</summary>
public class ConfigurationManagerTests
{
    private static readonly long LeaseWait = Settings.LeasePeriodMs + Settings.LeaseMarginMs;

    private static ConfigurationManager Manager(PartitionConfig config) => new(config, Settings);

    [Fact]
    public void A_silent_replica_becomes_a_learner_in_a_new_epoch_and_stale_reports_are_ignored()
    {
        var m = Manager(Config(1, "p", ["a", "b"]));
        var sends = m.OnReport(new ReplicaSilent(1, "p", "b"), 10);
        m.Config.Should().BeEquivalentTo(Config(2, "p", ["a"], "b"));
        sends.Select(s => s.To).Should().BeEquivalentTo(["a", "b", "p"]);
        sends.Should().OnlyContain(s => s.Message is ConfigUpdate);

        m.OnReport(new ReplicaSilent(1, "p", "a"), 20).Should().ContainSingle().Which.Should().Be(new ManagerSend("p", new ConfigUpdate(m.Config)));
        m.OnReport(new ReplicaSilent(2, "a", "p"), 20);
        m.Config.Epoch.Should().Be(2, "only the primary reports silence");
    }

    [Fact]
    public void A_caught_up_learner_joins_the_in_sync_set()
    {
        var m = Manager(Config(1, "p", ["a"], "l"));
        m.OnReport(new LearnerCaughtUp(1, "p", "l"), 10);
        m.Config.Should().BeEquivalentTo(Config(2, "p", ["a", "l"]));
    }

    [Fact]
    public void Suspicion_promotes_the_in_sync_replica_with_the_highest_prepared_seq()
    {
        var m = Manager(Config(1, "p", ["a", "b"]));
        var sends = m.OnReport(new PrimarySuspected(1, "a", 5, 1, 150), 1_000);
        sends.Should().ContainSingle().Which.Should().Be(new ManagerSend("b", new RevokeLease(1)));
        m.FailingOver.Should().BeTrue();

        m.OnReport(new PrimarySuspected(1, "b", 7, 1, 3), 1_005);
        m.Config.Epoch.Should().Be(1);
        m.Tick(1_006);
        m.Config.Should().BeEquivalentTo(Config(2, "b", ["a"], "p"));
        m.FailingOver.Should().BeFalse();
    }

    [Fact]
    public void While_failing_over_the_old_primarys_reports_change_nothing()
    {
        var m = Manager(Config(1, "p", ["a", "b"], "l"));
        m.OnReport(new PrimarySuspected(1, "a", 5, 1, 150), 1_000);
        m.OnReport(new ReplicaSilent(1, "p", "a"), 1_001);
        m.OnReport(new LearnerCaughtUp(1, "p", "l"), 1_001);
        m.Config.Epoch.Should().Be(1);
    }

    [Fact]
    public void An_unreachable_primary_is_replaced_only_once_its_lease_must_have_expired()
    {
        var m = Manager(Config(1, "p", ["a", "b"]));
        m.OnUnreachable("a", 0).Should().BeEmpty("only the primary's unreachability matters");
        m.OnUnreachable("p", 0).Select(s => (s.To, s.Message)).Should().BeEquivalentTo([("a", (ManagerMessage)new RevokeLease(1)), ("b", new RevokeLease(1))]);
        m.OnReport(new PrimarySuspected(1, "a", 3, 1, 0), 10); // a granted until just now

        m.Tick(50);
        m.Config.Epoch.Should().Be(1, "p may still hold a lease until 10 + lease + margin");
        m.Tick(10 + LeaseWait - 1);
        m.Config.Epoch.Should().Be(1);
        m.Tick(10 + LeaseWait);
        m.Config.Should().BeEquivalentTo(Config(2, "a", ["b"], "p"));
    }

    [Fact]
    public void With_no_in_sync_replica_an_unreachable_primary_is_kept()
    {
        var m = Manager(Config(1, "p", [], "l"));
        m.OnUnreachable("p", 0).Should().BeEmpty();
        m.FailingOver.Should().BeFalse();
    }

    [Fact]
    public void A_failover_nobody_answers_is_given_up()
    {
        var m = Manager(Config(1, "p", ["a"]));
        m.OnUnreachable("p", 0);
        m.Tick(Settings.FailoverGiveUpMs - 1).Should().Contain(s => s.Message is RevokeLease, "revocations are repeated");
        m.Tick(Settings.FailoverGiveUpMs + 1);
        m.FailingOver.Should().BeFalse();
        m.OnReport(new ReplicaSilent(1, "p", "a"), Settings.FailoverGiveUpMs + 2);
        m.Config.Epoch.Should().Be(2);
    }

    [Fact]
    public void Joining_and_restarted_nodes()
    {
        var m = Manager(Config(1, "p", ["a"]));
        m.OnReport(new JoinRequest(0, "n", 0, 0, Restarted: false), 0);
        m.Config.Should().BeEquivalentTo(Config(2, "p", ["a"], "n"), "a new node comes in as a learner");

        m.OnReport(new JoinRequest(2, "a", 5, 1, Restarted: true), 10);
        m.Config.Should().BeEquivalentTo(Config(3, "p", ["a"], "n"), "a restarted in-sync replica keeps its place but needs a newer epoch");
        m.OnReport(new JoinRequest(2, "a", 5, 1, Restarted: true), 11).Should().ContainSingle().Which.Message.Should().Be(new ConfigUpdate(m.Config));
        m.Config.Epoch.Should().Be(3, "a repeated request does not bump again");

        // The primary restarted: fail over; it still holds everything it logged, so it stays in-sync.
        m.OnReport(new JoinRequest(3, "p", 4, 1, Restarted: true), 20).Should().Contain(new ManagerSend("a", new RevokeLease(3)));
        m.OnReport(new PrimarySuspected(3, "a", 5, 1, 0), 25);
        m.Tick(30);
        m.Config.Should().BeEquivalentTo(Config(4, "a", ["p"], "n"));
    }

    [Fact]
    public void A_restarted_sole_primary_is_reinstated_in_a_new_epoch()
    {
        var m = Manager(Config(1, "p", [], "l"));
        m.OnReport(new JoinRequest(1, "p", 9, 1, Restarted: true), 5);
        m.Config.Should().BeEquivalentTo(Config(2, "p", [], "l"));
    }

    [Fact]
    public void Under_any_storm_of_reports_the_epoch_only_grows_and_every_configuration_is_well_formed()
    {
        var random = new Random(7);
        var nodes = new[] { "n1", "n2", "n3", "n4" };
        var m = Manager(Config(1, "n1", ["n2", "n3"]));
        var epoch = 1L;
        string N() => nodes[random.Next(nodes.Length)];
        for (var now = 0L; now < 20_000; now += random.Next(1, 20))
        {
            var e = Math.Max(0, m.Config.Epoch - random.Next(0, 2));
            ManagerReport report = random.Next(6) switch
            {
                0 => new ReplicaSilent(e, random.Next(2) == 0 ? m.Config.Primary : N(), N()),
                1 => new LearnerCaughtUp(e, random.Next(2) == 0 ? m.Config.Primary : N(), N()),
                2 => new PrimarySuspected(e, N(), random.Next(10), e, random.Next(300)),
                3 => new JoinRequest(e, N(), random.Next(10), e, random.Next(2) == 0),
                _ => new ConfigRequest(e, N()),
            };
            m.OnReport(report, now);
            if (random.Next(10) == 0)
                m.OnUnreachable(m.Config.Primary, now);
            m.Tick(now);

            var c = m.Config;
            c.Epoch.Should().BeGreaterThanOrEqualTo(epoch);
            epoch = c.Epoch;
            c.InSync.Should().NotContain(c.Primary).And.OnlyHaveUniqueItems();
            c.Learners.Should().NotContain(c.Primary).And.OnlyHaveUniqueItems().And.NotIntersectWith(c.InSync);
        }
        epoch.Should().BeGreaterThan(10);
    }

    [Fact]
    public void Settings_refuse_a_grace_period_that_does_not_cover_the_lease()
    {
        var act = () => (Settings with { GracePeriodMs = Settings.LeasePeriodMs + Settings.LeaseMarginMs - 1 }).Validated();
        act.Should().Throw<ArgumentException>().WithMessage("*GracePeriodMs*");
        var slowHeartbeat = () => (Settings with { HeartbeatIntervalMs = Settings.LeasePeriodMs }).Validated();
        slowHeartbeat.Should().Throw<ArgumentException>().WithMessage("*HeartbeatIntervalMs*");
    }
}
