using StackExchange.Redis;

namespace KvActors.Resp.Tests.Cluster;

// TTL, conditional and read-modify-write commands through StackExchange.Redis against the 3-node cluster: reply
// shapes as Redis 7's, and expiry awaited with a deadline (never slept on).
public sealed partial class RespClusterSpecs
{
    private static readonly TimeSpan ExpiryDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Set_with_expiry_ttl_pttl_persist_and_keepttl()
    {
        (await Db.StringSetAsync("ttl:a", "v", TimeSpan.FromSeconds(100))).Should().BeTrue();
        var ttl = await Db.KeyTimeToLiveAsync("ttl:a");
        ttl.Should().NotBeNull();
        ttl!.Value.Should().BeGreaterThan(TimeSpan.FromSeconds(90)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(100));
        ((long)await Db.ExecuteAsync("TTL", "ttl:a")).Should().BeInRange(90, 100);
        ((long)await Db.ExecuteAsync("TTL", "ttl:missing")).Should().Be(-2);
        (await Db.StringSetAsync("ttl:plain", "v")).Should().BeTrue();
        ((long)await Db.ExecuteAsync("PTTL", "ttl:plain")).Should().Be(-1);

        ((string?)await Db.ExecuteAsync("SET", "ttl:a", "w", "KEEPTTL")).Should().Be("OK");
        (await Db.KeyTimeToLiveAsync("ttl:a")).Should().NotBeNull("KEEPTTL keeps the expiry");
        (await Db.StringSetAsync("ttl:a", "x")).Should().BeTrue();
        (await Db.KeyTimeToLiveAsync("ttl:a")).Should().BeNull("a plain SET clears the expiry");

        await Db.KeyExpireAsync("ttl:a", TimeSpan.FromSeconds(50));
        (await Db.KeyPersistAsync("ttl:a")).Should().BeTrue();
        (await Db.KeyPersistAsync("ttl:a")).Should().BeFalse();
        ((string?)await Db.ExecuteAsync("SETEX", "ttl:b", "30", "v")).Should().Be("OK");
        (await Db.KeyTimeToLiveAsync("ttl:b")).Should().NotBeNull();
        var at = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        ((string?)await Db.ExecuteAsync("SET", "ttl:c", "v", "EXAT", at.ToString())).Should().Be("OK");
        ((long)await Db.ExecuteAsync("TTL", "ttl:c")).Should().BeInRange(3500, 3600);
    }

    [Fact]
    public async Task A_key_with_a_ttl_disappears_for_every_reader_after_it()
    {
        await Db.StringSetAsync("ttl:short", "v", TimeSpan.FromMilliseconds(400));
        await Db.StringSetAsync("ttl:long", "v", TimeSpan.FromMinutes(10));
        KvActors.TestKit.Awaiting.AwaitAssert(() =>
        {
            Db.StringGet("ttl:short").IsNull.Should().BeTrue();
            Db.KeyExists("ttl:short").Should().BeFalse();
            ((long)Db.Execute("PTTL", "ttl:short")).Should().Be(-2);
        }, ExpiryDeadline, TimeSpan.FromMilliseconds(100));
        (await Db.StringGetAsync("ttl:long")).ToString().Should().Be("v");
        // EXPIRE to a time in the past deletes at once.
        (await Db.KeyExpireAsync("ttl:long", DateTime.UtcNow.AddSeconds(-5))).Should().BeTrue();
        (await Db.StringGetAsync("ttl:long")).IsNull.Should().BeTrue();
    }

    [Fact]
    public async Task Conditional_sets_answer_as_redis_does()
    {
        await Db.KeyDeleteAsync("cond:k");
        (await Db.StringSetAsync("cond:k", "1", when: When.NotExists)).Should().BeTrue();
        (await Db.StringSetAsync("cond:k", "2", when: When.NotExists)).Should().BeFalse();
        (await Db.StringSetAsync("cond:absent", "2", when: When.Exists)).Should().BeFalse();
        (await Db.StringSetAsync("cond:k", "3", when: When.Exists)).Should().BeTrue();
        ((long)await Db.ExecuteAsync("SETNX", "cond:k", "4")).Should().Be(0);
        (await Db.StringSetAndGetAsync("cond:k", "5")).ToString().Should().Be("3", "SET ... GET answers the old value");
        (await Db.ExecuteAsync("SET", "cond:k", "6", "NX", "GET")).ToString().Should().Be("5", "SET NX GET on an existing key keeps it and answers it");
        (await Db.ExecuteAsync("SET", "cond:none", "6", "XX")).IsNull.Should().BeTrue("a SET whose condition fails answers nil");
        (await Db.StringGetSetAsync("cond:k", "7")).ToString().Should().Be("5");
        (await Db.StringGetDeleteAsync("cond:k")).ToString().Should().Be("7");
        (await Db.StringGetDeleteAsync("cond:k")).IsNull.Should().BeTrue();
    }

    [Fact]
    public async Task Increments_and_append_are_atomic_with_redis_errors()
    {
        await Db.KeyDeleteAsync(["{n}a", "{n}b", "{n}s"]);
        // Concurrent increments from many callers: every one counts, none is lost.
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Db.StringIncrementAsync("{n}a")));
        results.Should().OnlyHaveUniqueItems().And.HaveCount(50);
        ((long)await Db.StringGetAsync("{n}a")).Should().Be(50);
        (await Db.StringDecrementAsync("{n}a", 8)).Should().Be(42);
        ((long)await Db.ExecuteAsync("DECR", "{n}b")).Should().Be(-1);
        (await Db.StringAppendAsync("{n}s", "abc")).Should().Be(3);
        (await Db.StringAppendAsync("{n}s", "de")).Should().Be(5);
        (await Db.StringGetAsync("{n}s")).ToString().Should().Be("abcde");
        await FluentActions.Awaiting(() => Db.StringIncrementAsync("{n}s")).Should().ThrowAsync<RedisServerException>()
            .WithMessage("ERR value is not an integer or out of range");
        await Db.StringSetAsync("{n}b", long.MaxValue.ToString());
        await FluentActions.Awaiting(() => Db.StringIncrementAsync("{n}b")).Should().ThrowAsync<RedisServerException>()
            .WithMessage("ERR increment or decrement would overflow");
    }

    [Fact]
    public async Task Expire_options_follow_redis_7()
    {
        await Db.StringSetAsync("exp:k", "v");
        (await Db.KeyExpireAsync("exp:k", TimeSpan.FromSeconds(100), ExpireWhen.HasExpiry)).Should().BeFalse();
        (await Db.KeyExpireAsync("exp:k", TimeSpan.FromSeconds(100), ExpireWhen.GreaterThanCurrentExpiry)).Should().BeFalse("no expiry counts as infinite");
        (await Db.KeyExpireAsync("exp:k", TimeSpan.FromSeconds(100), ExpireWhen.HasNoExpiry)).Should().BeTrue();
        (await Db.KeyExpireAsync("exp:k", TimeSpan.FromSeconds(50), ExpireWhen.LessThanCurrentExpiry)).Should().BeTrue();
        (await Db.KeyExpireAsync("exp:k", TimeSpan.FromSeconds(500), ExpireWhen.GreaterThanCurrentExpiry)).Should().BeTrue();
        (await Db.KeyExpireAsync("exp:missing", TimeSpan.FromSeconds(5))).Should().BeFalse();
        ((long)await Db.ExecuteAsync("TTL", "exp:k")).Should().BeInRange(490, 500);
    }
}
