using System.Collections;
using KvActors.Resp.Protocol;
using KvActors.Resp.Server;
using KvActors.Store.Configuration;

namespace KvActors.Resp.Tests.Server;

/// <summary>kvactors.resp.* read as kvnode reads it: the protocol's bulk limit apart from the store's key and value limits.</summary>
public sealed class RespSettingsTests
{
    private static RespSettings From(params string[] settings) =>
        RespSettings.From(new SettingReader(KvConfig.Load(new ConfigSources { Settings = settings, Environment = new Hashtable() })));

    [Fact]
    public void Proto_max_bulk_len_is_redis_s_and_the_store_s_key_and_value_limits_bound_what_is_kept()
    {
        var limits = From().Limits;
        limits.Should().Be(new RespLimits(), "the parser's defaults are reference.conf's");
        limits.MaxBulkLength.Should().Be(512L << 20);
        limits.MaxKeptBulkLength.Should().Be(1L << 20, "no longer argument can be stored as a key or a value");
        From("kvactors.storage.max-key-size=4MiB").Limits.MaxKeptBulkLength.Should().Be(4L << 20);
        From("kvactors.resp.proto-max-bulk-len=1000").Limits.MaxKeptBulkLength.Should().Be(1000);
    }

    [Fact]
    public void A_query_buffer_limit_below_the_longest_argument_kept_is_refused_in_one_sentence()
    {
        var act = () => From("kvactors.resp.query-buffer-limit=512KiB");
        act.Should().Throw<ConfigException>().Which.Message.Should().Be(
            "-D settings: kvactors.resp.query-buffer-limit: expected at least the longest key or value kept (1048576 bytes: the larger of "
            + "kvactors.storage.max-key-size and max-value-size, at most proto-max-bulk-len), got 524288.");
    }
}
