using System.Text;
using KvActors.Resp.Cluster;
using KvActors.Resp.Commands;
using KvActors.Resp.Protocol;
using KvActors.Resp.Server;
using KvActors.Store.Partitioning;

namespace KvActors.Resp.Tests.Commands;

/// <summary>DBSIZE, SCAN and FLUSHALL over an in-memory store of 4 partitions, this node leading 0, 1 and 3 (another node 2).</summary>
public sealed class KeyspaceCommandTests
{
    private const int Partitions = 4;
    private static readonly NodeId Self = new("127.0.0.1:4053");
    private static readonly NodeId Other = new("127.0.0.1:4054");
    private static readonly Partitioner Partitioner = new(Partitions);
    private readonly InMemoryRespStore _store = new(Partitions);

    private RespSession Session(bool flushAll = false, bool withRing = true)
    {
        var topology = new ClusterTopology(Self, new RespEndpoint("127.0.0.1", 6379), () => new Dictionary<NodeId, RespEndpoint>());
        if (withRing)
            topology.Offer(new RingState(1, Partitions, 1, Enumerable.Range(0, Partitions).Select(p => new ReplicaSet([p == 2 ? Other : Self], []))));
        return new RespSession(new RespNode(new RespSettings { Port = 6379, FlushAllEnabled = flushAll }, _store, topology, "test"), 7, "127.0.0.1:5000");
    }

    private static RespValue Run(RespSession session, params string[] args) =>
        CommandTable.Dispatch(session, RespCommand.Of(args)).AsTask().GetAwaiter().GetResult();

    private static string ErrorOf(RespValue value) => value.Should().BeOfType<RespValue.ErrorReply>().Which.Text;

    private static string Str(RespValue value) => value switch
    {
        RespValue.BulkString b => Encoding.UTF8.GetString(b.Bytes),
        _ => throw new InvalidOperationException($"not a bulk string: {value}"),
    };

    private void Write(RespSession s, IEnumerable<string> keys)
    {
        foreach (var key in keys) Run(s, "SET", key, "v").Should().Be(RespValue.Ok);
    }

    /// <summary>One SCAN call: the next cursor and the keys.</summary>
    private static (string Cursor, List<string> Keys) ScanOnce(RespSession s, params string[] args)
    {
        var reply = Run(s, ["SCAN", .. args]).Should().BeOfType<RespValue.Array>().Which.Items;
        reply.Should().HaveCount(2);
        return (Str(reply[0]), reply[1].Should().BeOfType<RespValue.Array>().Which.Items.Select(Str).ToList());
    }

    /// <summary>A whole scan from cursor 0 back to 0, with <paramref name="options"/> on every call.</summary>
    private static List<string> ScanAll(RespSession s, params string[] options)
    {
        var seen = new List<string>();
        var cursor = "0";
        var calls = 0;
        do
        {
            (cursor, var keys) = ScanOnce(s, [cursor, .. options]);
            seen.AddRange(keys);
            (++calls).Should().BeLessThan(10_000, "a scan ends");
        }
        while (cursor != "0");
        return seen;
    }

    private static bool Led(string key) => Partitioner.PartitionOf(key) != 2;

    [Fact]
    public void Dbsize_counts_the_keys_the_store_reports()
    {
        var s = Session();
        Run(s, "DBSIZE").Should().Be(RespValue.Integer(0));
        Write(s, ["a", "b", "c"]);
        Run(s, "DBSIZE").Should().Be(RespValue.Integer(3));
        ErrorOf(Run(s, "DBSIZE", "x")).Should().Be("ERR wrong number of arguments for 'dbsize' command");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(1000)]
    public void Scan_returns_each_key_of_the_led_partitions_once_and_ends_at_cursor_zero(int count)
    {
        var s = Session();
        var keys = Enumerable.Range(0, 120).Select(i => $"key:{i}").ToList();
        Write(s, keys);

        var seen = ScanAll(s, "COUNT", count.ToString());

        seen.Order(StringComparer.Ordinal).Should().Equal(keys.Where(Led).Order(StringComparer.Ordinal), "partition 2 is led by another node");
    }

    [Fact]
    public void Count_bounds_the_keys_looked_at_per_call_and_the_default_is_ten()
    {
        var s = Session();
        Write(s, Enumerable.Range(0, 100).Select(i => $"k{i}"));
        var (cursor, keys) = ScanOnce(s, "0");
        keys.Should().HaveCount(10);
        cursor.Should().NotBe("0");
        ScanOnce(s, "0", "COUNT", "25").Keys.Should().HaveCount(25);
    }

    [Fact]
    public void Match_filters_by_glob_and_type_string_keeps_all_other_types_none()
    {
        var s = Session();
        var users = Enumerable.Range(0, 40).Select(i => $"user:{i}").ToList();
        Write(s, users.Concat(Enumerable.Range(0, 40).Select(i => $"order:{i}")));

        ScanAll(s, "MATCH", "user:*", "COUNT", "7").Order(StringComparer.Ordinal).Should().Equal(users.Where(Led).Order(StringComparer.Ordinal));
        ScanAll(s, "MATCH", "user:[12]", "COUNT", "100").Order(StringComparer.Ordinal).Should().Equal(new[] { "user:1", "user:2" }.Where(Led));
        ScanAll(s, "MATCH", "*:1?", "TYPE", "string").Order(StringComparer.Ordinal).Should()
            .Equal(Enumerable.Range(10, 10).SelectMany(i => new[] { $"user:{i}", $"order:{i}" }).Where(Led).Order(StringComparer.Ordinal));
        ScanAll(s, "TYPE", "hash").Should().BeEmpty();
    }

    [Fact]
    public void Keys_present_for_the_whole_scan_are_returned_while_others_come_and_go()
    {
        var s = Session();
        var stable = Enumerable.Range(0, 60).Select(i => $"stable:{i}").ToList();
        Write(s, stable);
        var added = 0;
        _store.BeforeScan = _ =>
        {
            // Between pages: a new key in every partition's range and one stable-looking key deleted and rewritten.
            _store.SetAsync(Encoding.UTF8.GetBytes($"added:{added++}"), [1]).GetAwaiter().GetResult();
        };

        var seen = ScanAll(s, "COUNT", "4");

        stable.Where(Led).Except(seen).Should().BeEmpty("every key present for the whole scan is returned");
        added.Should().BeGreaterThan(5, "keys were added during the scan");
    }

    [Fact]
    public void A_cursor_in_a_partition_no_longer_led_goes_on_with_the_next_led_one()
    {
        var s = Session();
        var keys = Enumerable.Range(0, 80).Select(i => $"p{i}").ToList();
        Write(s, keys);
        // A cursor in partition 2 (led elsewhere): partition 3 follows from its start.
        var cursor = new ScanCursor(2, 12345).ToString();
        var seen = new List<string>();
        do
        {
            (cursor, var page) = ScanOnce(s, cursor, "COUNT", "5");
            seen.AddRange(page);
        }
        while (cursor != "0");
        seen.Order(StringComparer.Ordinal).Should().Equal(keys.Where(k => Partitioner.PartitionOf(k) == 3).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("SCAN x", "ERR invalid cursor")]
    [InlineData("SCAN -1", "ERR invalid cursor")]
    [InlineData("SCAN 0 COUNT", "ERR syntax error")]
    [InlineData("SCAN 0 COUNT 0", "ERR syntax error")]
    [InlineData("SCAN 0 COUNT ten", "ERR value is not an integer or out of range")]
    [InlineData("SCAN 0 BOGUS 1", "ERR syntax error")]
    [InlineData("SCAN", "ERR wrong number of arguments for 'scan' command")]
    [InlineData("FLUSHALL", "ERR FLUSHALL is disabled on this node (kvactors.resp.flushall-enabled = off)")]
    [InlineData("FLUSHALL NOW", "ERR syntax error")]
    public void Bad_arguments_get_redis_s_errors(string line, string error)
    {
        ErrorOf(Run(Session(), line.Split(' '))).Should().Be(error);
    }

    [Fact]
    public void Without_a_ring_scan_and_flushall_ask_to_try_again()
    {
        ErrorOf(Run(Session(flushAll: true, withRing: false), "SCAN", "0")).Should().Be("CLUSTERDOWN this node has no ring yet");
        ErrorOf(Run(Session(flushAll: true, withRing: false), "FLUSHALL")).Should().Be("CLUSTERDOWN this node has no ring yet");
    }

    [Theory]
    [InlineData("FLUSHALL")]
    [InlineData("FLUSHALL SYNC")]
    [InlineData("flushall async")]
    public void Flushall_when_enabled_deletes_the_keys_of_every_partition(string line)
    {
        var s = Session(flushAll: true);
        var keys = Enumerable.Range(0, 700).Select(i => $"f{i}").ToList();
        Write(s, keys);
        keys.Should().Contain(k => !Led(k), "some keys live in a partition led elsewhere");

        Run(s, line.Split(' ')).Should().Be(RespValue.Ok);

        Run(s, "DBSIZE").Should().Be(RespValue.Integer(0));
        foreach (var key in keys.Take(50)) Run(s, "EXISTS", key).Should().Be(RespValue.Integer(0));
    }
}
