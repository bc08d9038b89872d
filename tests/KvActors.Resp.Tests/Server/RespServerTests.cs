using System.Text;
using KvActors.Resp.Cluster;
using KvActors.Resp.Commands;
using KvActors.Resp.Protocol;
using KvActors.Resp.Server;
using KvActors.Resp.Tests.Commands;
using KvActors.Resp.Tests.Protocol;
using KvActors.Store.Partitioning;
using KvActors.TestKit;
using KvActors.TestKit.Processes;

namespace KvActors.Resp.Tests.Server;

/// <summary>The server over real sockets, with an in-memory store: pipelining, ordering, bad input, limits, back-pressure.</summary>
public sealed class RespServerTests : IAsyncLifetime
{
    private readonly List<RespServer> _servers = [];

    private async Task<(int Port, RespNode Node)> Start(RespSettings settings, IRespStore? store = null)
    {
        var server = await RespServer.BindAsync("127.0.0.1", 0);
        _servers.Add(server);
        var topology = new ClusterTopology(new NodeId("127.0.0.1:4053"), new RespEndpoint("127.0.0.1", server.EndPoint.Port), () => new Dictionary<NodeId, RespEndpoint>());
        var node = new RespNode(settings with { Port = server.EndPoint.Port }, store ?? new InMemoryRespStore(), topology, "test");
        server.Start(node);
        return (server.EndPoint.Port, node);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
    }

    [Fact]
    public async Task Pipelined_replies_come_in_command_order_while_store_requests_run_concurrently()
    {
        var memory = new InMemoryRespStore();
        var slow = new SlowStore(memory);
        var (port, _) = await Start(new RespSettings(), slow);
        using var client = new RawRespClient(port);
        client.Send([.. Frames.MultiBulk("GET", "slow-key"), .. Frames.MultiBulk("PING"), .. Frames.MultiBulk("SET", "a", "1"), .. Frames.MultiBulk("GET", "a")]);
        // The SET behind the blocked GET has run already: commands are not serialised behind the store...
        Awaiting.AwaitCondition(() => memory.GetAsync("a"u8.ToArray(), false).Result is not null, message: "the pipelined SET did not run while the first GET waited");
        slow.Release();
        // ...but their replies are written in command order.
        client.ReadReply().Should().Be("$-1\r\n");
        client.ReadReply().Should().Be("+PONG\r\n");
        client.ReadReply().Should().Be("+OK\r\n");
        client.ReadReply().Should().Be("$1\r\n1\r\n");
    }

    [Fact]
    public async Task A_pipelined_command_sees_the_connection_s_earlier_writes_to_its_keys()
    {
        var memory = new InMemoryRespStore();
        var slow = new SlowStore(memory);
        var (port, _) = await Start(new RespSettings(), slow);
        using var client = new RawRespClient(port);
        client.Send([.. Frames.MultiBulk("SET", "held", "1"), .. Frames.MultiBulk("GET", "held"), .. Frames.MultiBulk("SET", "a", "1"),
            .. Frames.MultiBulk("SET", "{held}b", "1"), .. Frames.MultiBulk("DBSIZE")]);
        Awaiting.AwaitCondition(() => slow.HeldWrites == 1, message: "the SET of 'held' did not reach the store");
        // The SETs of other keys, on another slot and on the held key's own slot, run at once; the GET behind the held
        // SET, and DBSIZE behind all of them, wait.
        Awaiting.AwaitCondition(() => memory.GetAsync("a"u8.ToArray(), false).Result is not null, message: "the SET on another slot did not run while the held SET waited");
        Awaiting.AwaitCondition(() => memory.GetAsync("{held}b"u8.ToArray(), false).Result is not null, message: "the SET of another key on the held key's slot did not run while the held SET waited");
        slow.ReleaseWrites();
        client.ReadReply().Should().Be("+OK\r\n");
        client.ReadReply().Should().Be("$1\r\n1\r\n", "a GET pipelined after a SET of its key reads that write, as in Redis");
        client.ReadReply().Should().Be("+OK\r\n");
        client.ReadReply().Should().Be("+OK\r\n");
        client.ReadReply().Should().Be(":3\r\n", "DBSIZE counts the writes pipelined before it");
    }

    [Fact]
    public async Task Malformed_input_gets_redis_s_error_after_the_earlier_replies_and_closes_only_that_connection()
    {
        var (port, _) = await Start(new RespSettings());
        using var other = new RawRespClient(port);
        other.Call("PING").Should().Be("+PONG\r\n");
        using var bad = new RawRespClient(port);
        bad.Send("PING\r\n*1\r\n$x\r\nPING\r\n");
        bad.ReadReply().Should().Be("+PONG\r\n");
        bad.ReadReply().Should().Be("-ERR Protocol error: invalid bulk length\r\n");
        bad.IsClosedByServer().Should().BeTrue("the connection is closed after the protocol error");
        other.Call("SET", "k", "v").Should().Be("+OK\r\n");
        other.Call("GET", "k").Should().Be("$1\r\nv\r\n");
    }

    [Fact]
    public async Task A_bulk_over_proto_max_bulk_len_is_refused_from_its_header()
    {
        var (port, _) = await Start(new RespSettings { Limits = new RespLimits { MaxBulkLength = 1024 } });
        using var client = new RawRespClient(port);
        client.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000\r\n");
        client.ReadReply().Should().Be("-ERR Protocol error: invalid bulk length\r\n");
        client.IsClosedByServer().Should().BeTrue();
    }

    private const int MiB = 1 << 20;

    private const string ValueOverLimit =
        "-ERR value of 1048577 bytes is over this store's limit of 1048576 bytes (kvactors.storage.max-value-size)\r\n";

    [Fact]
    public async Task A_value_over_the_store_s_limit_gets_one_error_and_the_connection_answers_the_next_commands()
    {
        var store = new InMemoryRespStore();
        var (port, _) = await Start(new RespSettings(), store);
        using var client = new RawRespClient(port);
        var value = new byte[MiB + 1];
        client.Send([.. Frames.MultiBulk([Frames.Bytes("SET"), Frames.Bytes("k"), value]), .. Frames.MultiBulk("GET", "k"), .. Frames.MultiBulk("PING")]);
        client.ReadReply().Should().Be(ValueOverLimit);
        client.ReadReply().Should().Be("$-1\r\n", "nothing was stored for the refused SET");
        client.ReadReply().Should().Be("+PONG\r\n");
        client.Call("SET", "k", "small").Should().Be("+OK\r\n");
        client.Call("GET", "k").Should().Be("$5\r\nsmall\r\n");
    }

    /// <summary>
    /// A value declared 4 MiB long (four times what the transport buffers for a connection), sent in 1,000-byte pieces:
    /// the skip spans many reads, each read's bytes are dropped as they come, and the commands behind it are answered.
    /// </summary>
    [Fact]
    public async Task A_value_far_over_the_limit_sent_in_small_pieces_is_read_past_as_it_arrives()
    {
        const int Length = 4 * MiB;
        var store = new InMemoryRespStore();
        var (port, _) = await Start(new RespSettings(), store);
        using var client = new RawRespClient(port, TimeSpan.FromSeconds(30));
        client.Send($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${Length}\r\n");
        var piece = new byte[1000];
        for (var sent = 0; sent < Length; sent += piece.Length) client.Send(piece.AsSpan(0, Math.Min(piece.Length, Length - sent)).ToArray());
        client.Send([.. Frames.Bytes("\r\n"), .. Frames.MultiBulk("GET", "k"), .. Frames.MultiBulk("PING")]);
        client.ReadReply().Should().Be($"-ERR value of {Length} bytes is over this store's limit of 1048576 bytes (kvactors.storage.max-value-size)\r\n");
        client.ReadReply().Should().Be("$-1\r\n");
        client.ReadReply().Should().Be("+PONG\r\n");
        (await store.GetAsync(Frames.Bytes("k"), false)).Should().BeNull();
    }

    [Fact]
    public async Task A_key_over_the_store_s_limit_gets_the_key_limit_and_a_command_with_one_runs_for_none_of_its_keys()
    {
        var store = new InMemoryRespStore();
        var (port, _) = await Start(new RespSettings(), store);
        using var client = new RawRespClient(port);
        var key = new string('k', MiB + 1);
        var keyOverLimit = "-ERR key of 1048577 bytes is over this store's limit of 65536 bytes (kvactors.storage.max-key-size)\r\n";
        client.Send([.. Frames.MultiBulk("SET", key, "v"), .. Frames.MultiBulk("GET", key), .. Frames.MultiBulk("MSET", "{t}a", "1", key, "2"),
            .. Frames.MultiBulk("MSET", "{t}a", "1", "{t}b", new string('v', MiB + 1)), .. Frames.MultiBulk("EXISTS", "{t}a", "{t}b")]);
        client.ReadReply().Should().Be(keyOverLimit);
        client.ReadReply().Should().Be(keyOverLimit);
        client.ReadReply().Should().Be(keyOverLimit, "MSET's keys are every other argument from the first");
        client.ReadReply().Should().Be(ValueOverLimit, "MSET's values are not keys");
        client.ReadReply().Should().Be(":0\r\n", "a refused command writes none of its keys");
    }

    [Fact]
    public async Task An_oversized_command_before_auth_gets_noauth_and_the_connection_stays_in_step()
    {
        var (port, _) = await Start(new RespSettings { Password = "secret" });
        using var client = new RawRespClient(port);
        client.Send([.. Frames.MultiBulk("SET", "k", new string('v', MiB + 1)), .. Frames.MultiBulk("AUTH", "secret")]);
        client.ReadReply().Should().Be("-NOAUTH Authentication required.\r\n");
        client.ReadReply().Should().Be("+OK\r\n");
        client.Call("SET", "k", new string('v', MiB + 1)).Should().Be(ValueOverLimit);
    }

    [Fact]
    public async Task A_bulk_over_a_configured_proto_max_bulk_len_closes_the_connection_though_one_below_is_only_refused()
    {
        var (port, _) = await Start(new RespSettings { Limits = new RespLimits { MaxBulkLength = 2 * MiB } });
        using var client = new RawRespClient(port);
        client.Call("SET", "k", new string('v', MiB + 1)).Should().Be(ValueOverLimit);
        client.Send($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${2 * MiB + 1}\r\n");
        client.ReadReply().Should().Be("-ERR Protocol error: invalid bulk length\r\n");
        client.IsClosedByServer().Should().BeTrue("a length over proto-max-bulk-len is a protocol error, as in Redis");
    }

    [Fact]
    public async Task Inline_commands_work_as_redis_cli_and_telnet_send_them()
    {
        var (port, _) = await Start(new RespSettings());
        using var client = new RawRespClient(port);
        client.Send("SET greeting \"hello world\"\r\nGET greeting\n");
        client.ReadReply().Should().Be("+OK\r\n");
        client.ReadReply().Should().Be("$11\r\nhello world\r\n");
    }

    [Fact]
    public async Task Quit_answers_ok_then_closes()
    {
        var (port, _) = await Start(new RespSettings());
        using var client = new RawRespClient(port);
        client.Send("QUIT\r\nPING\r\n");
        client.ReadReply().Should().Be("+OK\r\n");
        client.IsClosedByServer().Should().BeTrue("nothing after QUIT is answered");
    }

    [Fact]
    public async Task Hello_3_switches_the_connection_to_resp3()
    {
        var (port, _) = await Start(new RespSettings());
        using var client = new RawRespClient(port);
        client.Call("GET", "missing").Should().Be("$-1\r\n");
        client.Call("HELLO", "3").Should().StartWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n");
        client.Call("GET", "missing").Should().Be("_\r\n");
        client.Call("CONFIG", "GET", "maxclients").Should().Be("%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
        client.Call("HELLO", "2").Should().StartWith("*14\r\n");
        client.Call("GET", "missing").Should().Be("$-1\r\n");
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_timeout()
    {
        var (port, _) = await Start(new RespSettings { Timeout = TimeSpan.FromMilliseconds(300) });
        using var client = new RawRespClient(port);
        client.Call("PING").Should().Be("+PONG\r\n");
        client.IsClosedByServer().Should().BeTrue("the server closes a connection idle for longer than kvactors.resp.timeout");
    }

    [Fact]
    public async Task Connections_beyond_max_clients_get_redis_s_error()
    {
        var (port, node) = await Start(new RespSettings { MaxClients = 2 });
        using var a = new RawRespClient(port);
        using var b = new RawRespClient(port);
        a.Call("PING").Should().Be("+PONG\r\n");
        b.Call("PING").Should().Be("+PONG\r\n");
        using var c = new RawRespClient(port);
        c.ReadReply().Should().Be("-ERR max number of clients reached\r\n");
        c.IsClosedByServer().Should().BeTrue();
        node.Stats.RejectedConnections.Should().Be(1);
        a.Call("PING").Should().Be("+PONG\r\n");
    }

    /// <summary>
    /// A client pipelines 1,000 GETs of a 64 KiB value (65 MB of replies) and reads nothing: the server must stop reading
    /// it once its bounded buffers are full, so it processes only a small part; once the client reads, every reply
    /// arrives, in order.
    /// </summary>
    [Fact]
    public async Task A_client_that_does_not_read_its_replies_is_not_read_from()
    {
        const int Commands = 1000;
        var (port, node) = await Start(new RespSettings { MaxPipeline = 16 });
        using var client = new RawRespClient(port, TimeSpan.FromSeconds(30));
        client.Call("SET", "big", new string('v', 64 * 1024)).Should().Be("+OK\r\n");
        var before = node.Stats.CommandsProcessed;
        var gets = Enumerable.Range(0, Commands).SelectMany(_ => Frames.MultiBulk("GET", "big")).ToArray();
        var sending = Task.Run(() => client.Send(gets)); // 72 KB: fits in the socket buffers whether or not the server reads
        Awaiting.AwaitCondition(() => node.Stats.CommandsProcessed - before > 16, message: "the server did not start on the pipeline");
        // Bounded: kernel socket buffers + the transport's 256 KiB output buffer + 16 in flight, far below 1,000 replies.
        Holding.Throughout(TimeSpan.FromSeconds(1), () =>
            (node.Stats.CommandsProcessed - before).Should().BeLessThan(Commands / 2, "the server stops reading a client that does not read"));
        var processedWhileStalled = node.Stats.CommandsProcessed - before;
        var expected = $"$65536\r\n{new string('v', 64 * 1024)}\r\n";
        for (var i = 0; i < Commands; i++) client.ReadReply().Should().Be(expected);
        await sending;
        (node.Stats.CommandsProcessed - before).Should().Be(Commands);
        processedWhileStalled.Should().BeLessThan(Commands / 2);
    }
}
