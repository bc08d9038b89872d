using Akka.Configuration;
using KvActors.Store.Configuration;
using KvActors.Store.Ring;
using KvActors.Store.Tests.Configuration;

namespace KvActors.Store.Tests.Ring;

public sealed class RingSettingsTests
{
    private static RingSettings Read(string overrides) =>
        RingSettings.From(new SettingReader(new LayeredConfig([
            new ConfigLayer("-D settings", ConfigurationFactory.ParseString(overrides)),
            new ConfigLayer(KvConfig.ReferenceSource, KvConfig.Reference)])));

    [Fact]
    public void The_defaults_come_from_reference_conf()
    {
        var settings = Read("");

        settings.Should().Be(new RingSettings
        {
            Partitions = 256,
            ReplicationFactor = 3,
            MinMembers = 1,
            FailoverAfter = TimeSpan.FromSeconds(1),
            LastRingTimeout = TimeSpan.FromSeconds(5),
            RepublishInterval = TimeSpan.FromSeconds(2),
            DataDir = "data",
        });
        settings.TickInterval.Should().Be(TimeSpan.FromMilliseconds(100));
        settings.LeaseProblem(TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(200)).Should().BeNull(
            "the default failover wait lets the default replication lease run out");
    }

    [Fact]
    public void Settings_are_bound_from_their_keys()
    {
        var settings = Read("""
            kvactors.store { partitions = 64, replication-factor = 2, failover-after = 1500ms, last-ring-timeout = 3s, republish-interval = 500ms, deputy-suspicion-hold = 0s }
            kvactors.cluster.min-nr-of-members = 3
            kvactors.node.data-dir = "/var/kv"
            """);

        settings.Should().Be(new RingSettings
        {
            Partitions = 64,
            ReplicationFactor = 2,
            MinMembers = 3,
            FailoverAfter = TimeSpan.FromMilliseconds(1500),
            LastRingTimeout = TimeSpan.FromSeconds(3),
            RepublishInterval = TimeSpan.FromMilliseconds(500),
            DeputySuspicionHold = TimeSpan.Zero,
            DataDir = "/var/kv",
        });
        settings.CoreOptions.Should().Be(new RingManagerCore.Options(64, 2, 3, TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(3)));
    }

    [Theory]
    [InlineData("kvactors.store.partitions = 100", "-D settings: kvactors.store.partitions: expected a power of two between 1 and 16384, got 100.")]
    [InlineData("kvactors.store.partitions = 32768", "-D settings: kvactors.store.partitions: expected 1..16384, got 32768.")]
    [InlineData("kvactors.store.replication-factor = 0", "-D settings: kvactors.store.replication-factor: expected 1..2147483647, got 0.")]
    [InlineData("kvactors.store.failover-after = soon", "-D settings: kvactors.store.failover-after: expected a duration such as 500ms or 5s, got 'soon'.")]
    [InlineData("kvactors.store.last-ring-timeout = 0s", "-D settings: kvactors.store.last-ring-timeout: expected at least 1 ms, got '0s'.")]
    public void A_bad_value_is_one_sentence_naming_the_key_and_its_source(string overrides, string expected)
    {
        Readers.ConfigError(() => Read(overrides)).Should().Be(expected);
    }

    [Fact]
    public void A_failover_wait_shorter_than_the_lease_is_named()
    {
        var settings = new RingSettings { FailoverAfter = TimeSpan.FromMilliseconds(500) };
        settings.LeaseProblem(TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(200)).Should().Be(
            "kvactors.store.failover-after (500 ms) must be at least the replication lease period plus its margin (1000 ms), so a primary is replaced only once its lease has run out.");
    }

    /// <summary>Every kvactors.store.* key is read by <see cref="RingSettings.From(SettingReader)"/> (as the configuration tests check for every key and reader).</summary>
    [Fact]
    public void Every_store_key_in_reference_conf_is_read()
    {
        var keys = KnownKeys.LeafPaths(KvConfig.Reference, RingSettings.Section).Where(k => !ShardConfig.Keys.Contains(k)).ToList();
        keys.Should().HaveCount(6);
        foreach (var key in keys)
        {
            Readers.ConfigError(() => Read($"{key} = {{ probe = on }}")).Should().StartWith($"-D settings: {key}: ");
        }
    }
}
