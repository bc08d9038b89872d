using KvActors.Actor;
using KvActors.Cluster.Tools.PubSub;
using KvActors.Hocon;
using KvActors.Cluster.Tools.Singleton;

namespace KvActors.Cluster.Tools.Tests;

public sealed class PubSubRegistryTests
{
    private static Address N(int i) => Address.Tcp("kv", "127.0.0.1", 2550 + i);
    private static string Ref(int node, string path) => $"{N(node)}{path}";
    private static bool All(Address _) => true;

    /// <summary>One gossip exchange as the mediators do it: a sends its versions, b answers with a delta and, when it misses news, its own status.</summary>
    private static void GossipRound(PubSubRegistry a, PubSubRegistry b, int maxDelta = int.MaxValue)
    {
        b.Merge(a.Delta(b.Versions, maxDelta), All); // b asked back because a knew more
        a.Merge(b.Delta(a.Versions, maxDelta), All);
    }

    [Fact]
    public void Put_bumps_the_own_bucket_version_from_the_clock_and_stays_monotonic()
    {
        var r = new PubSubRegistry(N(1));
        r.Put("/user/a", Ref(1, "/user/a"), 1000);
        r.OwnBucket.Version.Should().Be(1000);
        r.Put("/user/b", Ref(1, "/user/b"), 500); // clock went back
        r.OwnBucket.Version.Should().Be(1001);
        r.Lookup("/user/b").Should().Equal((N(1), Ref(1, "/user/b")));
    }

    [Fact]
    public void Removal_is_a_tombstone_with_a_new_version_and_removing_nothing_changes_nothing()
    {
        var r = new PubSubRegistry(N(1));
        r.Put("k", null, 10);
        r.OwnBucket.Version.Should().Be(0);
        r.Put("k", "x", 10);
        r.Put("k", null, 11);
        r.OwnBucket.Version.Should().Be(11);
        r.OwnBucket.Content["k"].Should().Be(new ValueHolder(11, null));
        r.Lookup("k").Should().BeEmpty();
        r.Count.Should().Be(0);
    }

    [Fact]
    public void Delta_carries_only_entries_newer_than_the_peers_version()
    {
        var r = new PubSubRegistry(N(1));
        r.Put("a", "ra", 10);
        r.Put("b", "rb", 20);
        r.Put("c", "rc", 30);
        var delta = r.Delta(new Dictionary<Address, long> { [N(1)] = 20 });
        delta.Should().ContainSingle();
        delta[0].Version.Should().Be(30);
        delta[0].Content.Keys.Should().Equal("c");
        r.Delta(new Dictionary<Address, long> { [N(1)] = 30 }).Should().BeEmpty();
        r.Delta(new Dictionary<Address, long>()).Single().Content.Should().HaveCount(3);
    }

    [Fact]
    public void A_delta_cut_short_by_max_elements_resumes_in_the_next_round()
    {
        var a = new PubSubRegistry(N(1));
        for (var i = 0; i < 5; i++) a.Put($"k{i}", $"r{i}", 100 + i);
        var b = new PubSubRegistry(N(2));
        var first = a.Delta(b.Versions, maxElements: 2);
        first.Single().Version.Should().Be(101);
        b.Merge(first, All);
        b.Buckets[N(1)].Content.Keys.Should().BeEquivalentTo(["k0", "k1"]);
        b.OtherHasNewerVersions(a.Versions).Should().BeTrue();
        b.Merge(a.Delta(b.Versions, 2), All);
        b.Merge(a.Delta(b.Versions, 2), All);
        b.Buckets[N(1)].Should().BeEquivalentTo(a.OwnBucket);
        b.OtherHasNewerVersions(a.Versions).Should().BeFalse();
    }

    [Fact]
    public void Gossip_converges_three_registries_including_removals()
    {
        var rs = new[] { new PubSubRegistry(N(1)), new PubSubRegistry(N(2)), new PubSubRegistry(N(3)) };
        for (var i = 0; i < 3; i++) rs[i].Put("topic:t", Ref(i + 1, "/system/m"), 100);
        rs[0].Put("/user/w", Ref(1, "/user/w"), 200);
        GossipRound(rs[0], rs[1]);
        GossipRound(rs[1], rs[2]);
        GossipRound(rs[2], rs[0]);
        foreach (var r in rs) r.Lookup("topic:t").Should().HaveCount(3);
        foreach (var r in rs) r.Lookup("/user/w").Should().ContainSingle();

        rs[0].Put("topic:t", null, 300);
        GossipRound(rs[0], rs[1]);
        GossipRound(rs[1], rs[2]);
        foreach (var r in rs) r.Lookup("topic:t").Select(x => x.Owner).Should().BeEquivalentTo([N(2), N(3)]);
    }

    [Fact]
    public void Merge_never_takes_our_own_bucket_from_a_peer_nor_a_bucket_of_a_non_member()
    {
        var a = new PubSubRegistry(N(1));
        a.Put("x", "mine", 10);
        var forged = new[] { new Bucket(N(1), 999, Bucket.Empty(N(1)).Content.Add("x", new ValueHolder(999, null))) };
        a.Merge(forged, All).Should().BeFalse();
        a.Lookup("x").Should().ContainSingle();

        var stranger = new PubSubRegistry(N(7));
        stranger.Put("y", "ry", 10);
        a.Merge(stranger.Delta(a.Versions), addr => !addr.Equals(N(7))).Should().BeFalse();
        a.Buckets.Should().NotContainKey(N(7));
    }

    [Fact]
    public void An_older_delta_does_not_overwrite_newer_knowledge()
    {
        var owner = new PubSubRegistry(N(2));
        owner.Put("k", "v1", 10);
        var stale = owner.Delta(new Dictionary<Address, long>());
        owner.Put("k", null, 20);
        var a = new PubSubRegistry(N(1));
        a.Merge(owner.Delta(a.Versions), All);
        a.Merge(stale, All).Should().BeFalse();
        a.Lookup("k").Should().BeEmpty();
    }

    [Fact]
    public void A_removed_owners_bucket_is_dropped()
    {
        var a = new PubSubRegistry(N(1));
        var b = new PubSubRegistry(N(2));
        b.Put("topic:t", "m2", 10);
        a.Merge(b.Delta(a.Versions), All);
        a.Count.Should().Be(1);
        a.RemoveOwner(N(2)).Should().BeTrue();
        a.Count.Should().Be(0);
        a.RemoveOwner(N(1)).Should().BeFalse("the own bucket stays");
    }

    [Fact]
    public void Old_tombstones_are_pruned_from_the_own_bucket()
    {
        var a = new PubSubRegistry(N(1));
        a.Put("k", "v", 10);
        a.Put("k", null, 20);
        a.Put("live", "v", 30);
        a.PruneOwnTombstones(olderThanVersion: 25);
        a.OwnBucket.Content.Keys.Should().Equal("live");
    }

    [Fact]
    public void Reference_conf_parses_and_matches_the_code_defaults()
    {
        DistributedPubSubSettings.FromConfig(Config.Reference).Should().Be(DistributedPubSubSettings.Default);
        ClusterSingletonManagerSettings.FromConfig(Config.Reference).Should().Be(ClusterSingletonManagerSettings.Default);
        ClusterSingletonProxySettings.FromConfig(Config.Reference).Should().Be(ClusterSingletonProxySettings.Default);
        var c = Config.Parse("kvactors.cluster.singleton { role = ring, removal-margin = 3s }\nkvactors.cluster.singleton-proxy.buffer-size = 0");
        ClusterSingletonManagerSettings.FromConfig(c).Should().Be(ClusterSingletonManagerSettings.Default with { Role = "ring", RemovalMargin = TimeSpan.FromSeconds(3) });
        ClusterSingletonProxySettings.FromConfig(c).BufferSize.Should().Be(0);
    }
}
