using System.Net;
using KvActors.TestKit;
using StackExchange.Redis;

namespace KvActors.Resp.Tests.Cluster;

/// <summary>One node (RF 1) with the primaries' active expiry off, so an expired key stays stored until something reads it.</summary>
public sealed class LazyExpiryClusterFixture() : RespClusterFixture(1, activeExpiry: false);

/// <summary>
/// INFO keyspace and SCAN against the store's real key counts and scans. Active expiry is off, so keys that expired but
/// are not deleted yet can be looked at: SCAN must leave them out as every read does; INFO counts them, as DBSIZE does
/// (and as Redis counts keys its expiry has not removed yet).
/// </summary>
public sealed class RespExpiredKeysSpecs(LazyExpiryClusterFixture cluster) : IClassFixture<LazyExpiryClusterFixture>
{
    private IDatabase Db => cluster.Redis.GetDatabase();

    private IServer Server => cluster.Redis.GetServer(IPEndPoint.Parse(cluster.Nodes[0].Endpoint));

    private static long WallNowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Writes keys named <paramref name="prefix"/>:live:i and :gone:i (the latter expiring soon) and waits until the clock is past that expiry.</summary>
    private async Task<(List<string> Live, List<string> Gone)> WriteAndLetSomeExpire(string prefix)
    {
        var live = Enumerable.Range(0, 20).Select(i => $"{prefix}:live:{i}").ToList();
        var gone = Enumerable.Range(0, 10).Select(i => $"{prefix}:gone:{i}").ToList();
        await Task.WhenAll(live.Select(k => Db.StringSetAsync(k, "v")));
        var expiresAt = WallNowMs + 300;
        foreach (var key in gone) ((string?)await Db.ExecuteAsync("SET", key, "v", "PXAT", expiresAt)).Should().Be("OK");
        Awaiting.AwaitAssert(() => WallNowMs.Should().BeGreaterThan(expiresAt + 5), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        return (live, gone);
    }

    [Fact]
    public async Task Scan_leaves_out_keys_that_expired_but_are_not_deleted_yet()
    {
        var (live, gone) = await WriteAndLetSomeExpire("scanttl");
        Server.DatabaseSize().Should().Be(live.Count + gone.Count, "the expired keys are still stored (nothing deleted them)");

        var scanned = Server.Keys(pattern: "scanttl:*", pageSize: 7).Select(k => (string)k!).ToList();

        scanned.Order(StringComparer.Ordinal).Should().Equal(live.Order(StringComparer.Ordinal));
    }

    /// <summary>db0's keys and expires from INFO keyspace; zeros when there is no db0 line (no keys).</summary>
    private async Task<(long Keys, long Expires)> InfoKeyspace()
    {
        var info = (await Server.InfoRawAsync("keyspace"))!;
        var line = info.Split("\r\n").SingleOrDefault(l => l.StartsWith("db0:", StringComparison.Ordinal));
        if (line is null) return (0, 0);
        line.Should().MatchRegex(@"^db0:keys=\d+,expires=\d+,avg_ttl=0$");
        var fields = line[4..].Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
        return (fields["keys"], fields["expires"]);
    }

    [Fact]
    public async Task Info_keyspace_reports_the_keys_this_node_leads_and_those_with_an_expiry()
    {
        var before = await InfoKeyspace();
        await Task.WhenAll(Enumerable.Range(0, 7).Select(i => Db.StringSetAsync($"infokeys:{i}", "v")));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Db.StringSetAsync($"infokeys:ttl:{i}", "v", TimeSpan.FromSeconds(100))));

        var after = await InfoKeyspace();

        after.Should().Be((before.Keys + 10, before.Expires + 3));
        after.Keys.Should().Be(Server.DatabaseSize(), "INFO counts as DBSIZE does");
    }
}
