using StackExchange.Redis;

namespace KvActors.Resp.Tests.Cluster;

// Keys and values over the store's limits through StackExchange.Redis against the 3-node cluster: one error reply in
// one sentence (size, limit, setting), nothing stored, and the multiplexer's connection goes on serving.
public sealed partial class RespClusterSpecs
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task A_value_over_the_store_s_limit_is_a_server_error_and_the_multiplexer_keeps_working()
    {
        // Both on one slot, so on one connection: the SET behind the refused one is pipelined after it.
        var refused = Db.StringSetAsync("{limits}too-big", new byte[2 * MiB]);
        var next = Db.StringSetAsync("{limits}after", "fine");
        (await refused.Awaiting(t => t).Should().ThrowAsync<RedisServerException>()).Which.Message.Should().Be(
            "ERR value of 2097152 bytes is over this store's limit of 1048576 bytes (kvactors.storage.max-value-size)");
        (await next).Should().BeTrue();
        (await Db.StringGetAsync("{limits}too-big")).IsNull.Should().BeTrue("nothing is stored for a refused SET");
        ((string?)await Db.StringGetAsync("{limits}after")).Should().Be("fine");
        cluster.Redis.IsConnected.Should().BeTrue();
    }

    [Fact]
    public async Task A_key_over_the_store_s_limit_is_a_server_error_naming_the_key_limit()
    {
        var skipped = () => Db.StringSetAsync(new string('k', 2 * MiB), "v");
        (await skipped.Should().ThrowAsync<RedisServerException>()).Which.Message.Should().Be(
            "ERR key of 2097152 bytes is over this store's limit of 65536 bytes (kvactors.storage.max-key-size)");
        // Under the longest argument kept (1 MiB), the key is read and the store refuses it, in one sentence too.
        var refused = () => Db.StringSetAsync(new string('k', 100_000), "v");
        (await refused.Should().ThrowAsync<RedisServerException>()).Which.Message.Should().Be(
            "ERR A key of 100000 bytes exceeds kvactors.storage.max-key-size (65536 bytes)");
        ((string?)await Db.StringGetAsync("{limits}missing")).Should().BeNull();
    }

    [Fact]
    public async Task An_append_past_the_store_s_value_limit_names_that_limit()
    {
        await Db.StringSetAsync("{limits}appended", new byte[MiB]);
        var act = () => Db.StringAppendAsync("{limits}appended", "x");
        (await act.Should().ThrowAsync<RedisServerException>()).Which.Message.Should().Be(
            "ERR string exceeds maximum allowed size of 1048576 bytes (kvactors.storage.max-value-size)");
        (await Db.StringLengthAsync("{limits}appended")).Should().Be(MiB);
    }
}
