using KvActors.Hocon;

namespace KvActors.Cluster.Tests;

public sealed class ClusterSettingsTests
{
    [Fact]
    public void Reference_conf_parses_and_matches_the_code_defaults()
    {
        var s = ClusterSettings.FromConfig(Config.Reference);
        s.Should().BeEquivalentTo(ClusterSettings.Default);
        s.GossipInterval.Should().Be(TimeSpan.FromMilliseconds(200));
        s.LeaderActionsInterval.Should().Be(TimeSpan.FromMilliseconds(100));
        s.UnreachableNodesReaperInterval.Should().Be(TimeSpan.FromMilliseconds(100));
        s.HeartbeatInterval.Should().Be(TimeSpan.FromMilliseconds(500));
        s.FailureDetector.AcceptableHeartbeatPause.Should().Be(TimeSpan.FromMilliseconds(1500));
        s.FailureDetector.Threshold.Should().Be(10);
        s.SplitBrainResolver.StableAfter.Should().Be(TimeSpan.FromMilliseconds(1500));
        s.SplitBrainResolver.DownAllWhenUnstable.Should().Be(TimeSpan.FromMilliseconds(1125));
        s.MonitoredByNrOfMembers.Should().Be(9);
        s.SplitBrainResolver.CreateStrategy().Should().BeOfType<SplitBrain.KeepMajority>();
    }

    [Fact]
    public void Overrides_and_off_values()
    {
        var c = Config.Parse("""
            kvactors.cluster {
              seed-nodes = ["kvactors.tcp://kv@127.0.0.1:4053"]
              roles = [store]
              min-nr-of-members = 3
              allow-weakly-up-members = off
              retry-unsuccessful-join-after = off
              split-brain-resolver { active-strategy = keep-oldest, down-all-when-unstable = off, keep-oldest.down-if-alone = off, keep-oldest.role = store }
              failure-detector.monitored-by-nr-of-members = 5
            }
            """).WithFallback(Config.Reference);
        var s = ClusterSettings.FromConfig(c);
        s.SeedNodes.Should().Equal("kvactors.tcp://kv@127.0.0.1:4053");
        s.Roles.Should().Equal("store");
        s.MinNrOfMembers.Should().Be(3);
        s.LeaderSettings.Should().Be(new LeaderSettings { MinNrOfMembers = 3, WeaklyUpAfter = null });
        s.RetryUnsuccessfulJoinAfter.Should().BeNull();
        s.SplitBrainResolver.DownAllWhenUnstable.Should().BeNull();
        s.MonitoredByNrOfMembers.Should().Be(5);
        var strategy = s.SplitBrainResolver.CreateStrategy().Should().BeOfType<SplitBrain.KeepOldest>().Subject;
        strategy.DownIfAlone.Should().BeFalse();
        strategy.Role.Should().Be("store");
    }

    [Fact]
    public void Bad_values_are_one_plain_sentence()
    {
        var c = Config.Parse("kvactors.cluster.split-brain-resolver.active-strategy = keep-everything").WithFallback(Config.Reference);
        FluentActions.Invoking(() => ClusterSettings.FromConfig(c)).Should().Throw<ArgumentException>().WithMessage("*active-strategy*");
        var m = Config.Parse("kvactors.cluster.min-nr-of-members = 0").WithFallback(Config.Reference);
        FluentActions.Invoking(() => ClusterSettings.FromConfig(m)).Should().Throw<ArgumentException>().WithMessage("*min-nr-of-members*");
    }
}
