using System.Globalization;
using System.Text;
using KvActors.Resp.Cluster;
using KvActors.Resp.Commands;
using KvActors.Resp.Protocol;
using KvActors.Resp.Server;
using KvActors.Store.Partitioning;

namespace KvActors.Resp.Tests.Commands;

/// <summary>The commands through the one dispatch path, over an in-memory store: replies and errors in Redis's words.</summary>
public sealed class CommandTests
{
    private readonly InMemoryRespStore _store = new();

    private RespSession Session(RespSettings? settings = null)
    {
        var topology = new ClusterTopology(new NodeId("127.0.0.1:4053"), new RespEndpoint("127.0.0.1", 6379), () => new Dictionary<NodeId, RespEndpoint>());
        return new RespSession(new RespNode(settings ?? new RespSettings { Port = 6379 }, _store, topology, "test"), 7, "127.0.0.1:5000");
    }

    private static RespValue Run(RespSession session, params string[] args) =>
        CommandTable.Dispatch(session, RespCommand.Of(args)).AsTask().GetAwaiter().GetResult();

    private static string Text(RespValue value) => Encoding.UTF8.GetString(RespReplyWriter.ToBytes(value, RespVersion.Resp2));

    private static string ErrorOf(RespValue value) => value.Should().BeOfType<RespValue.ErrorReply>().Which.Text;

    [Fact]
    public void Ping_and_echo()
    {
        var s = Session();
        Text(Run(s, "PING")).Should().Be("+PONG\r\n");
        Text(Run(s, "ping", "hi")).Should().Be("$2\r\nhi\r\n");
        Text(Run(s, "ECHO", "x y")).Should().Be("$3\r\nx y\r\n");
        ErrorOf(Run(s, "ECHO")).Should().Be("ERR wrong number of arguments for 'echo' command");
        ErrorOf(Run(s, "PING", "a", "b")).Should().Be("ERR wrong number of arguments for 'ping' command");
    }

    [Fact]
    public void Unknown_commands_are_named_with_their_first_arguments()
    {
        var s = Session();
        ErrorOf(Run(s, "FOO", "a", "b")).Should().Be("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
        ErrorOf(Run(s, "nope")).Should().Be("ERR unknown command 'nope', with args beginning with: ");
    }

    [Fact]
    public void Set_get_and_the_keyspace_commands()
    {
        var s = Session();
        Run(s, "SET", "{k}", "hello").Should().Be(RespValue.Ok);
        Text(Run(s, "GET", "{k}")).Should().Be("$5\r\nhello\r\n");
        Text(Run(s, "GET", "missing")).Should().Be("$-1\r\n");
        Text(Run(s, "STRLEN", "{k}")).Should().Be(":5\r\n");
        Text(Run(s, "STRLEN", "missing")).Should().Be(":0\r\n");
        Text(Run(s, "TYPE", "{k}")).Should().Be("+string\r\n");
        Text(Run(s, "TYPE", "missing")).Should().Be("+none\r\n");
        Text(Run(s, "EXISTS", "{k}", "{k}", "{k}missing")).Should().Be(":2\r\n", "a key named twice counts twice");
        Text(Run(s, "DEL", "{k}", "{k}")).Should().Be(":1\r\n", "a key named twice is deleted once");
        Text(Run(s, "UNLINK", "{k}")).Should().Be(":0\r\n");
    }

    [Fact]
    public void Mset_and_mget_within_one_slot()
    {
        var s = Session();
        Run(s, "MSET", "{u}a", "1", "{u}b", "2", "{u}a", "3").Should().Be(RespValue.Ok);
        Text(Run(s, "MGET", "{u}a", "{u}b", "{u}c")).Should().Be("*3\r\n$1\r\n3\r\n$1\r\n2\r\n$-1\r\n");
        ErrorOf(Run(s, "MSET", "{u}a", "1", "{u}b")).Should().Be("ERR wrong number of arguments for 'mset' command");
    }

    [Theory]
    [InlineData("MGET", "a", "b")]
    [InlineData("MSET", "a", "1", "b", "2")]
    [InlineData("DEL", "a", "b")]
    [InlineData("UNLINK", "a", "b")]
    [InlineData("EXISTS", "a", "b")]
    public void Keys_in_different_slots_are_crossslot(params string[] args)
    {
        ErrorOf(Run(Session(), args)).Should().Be("CROSSSLOT Keys in request don't hash to the same slot");
    }

    [Fact]
    public void Readonly_makes_reads_replica_reads_on_that_connection_only()
    {
        var s = Session();
        Run(s, "READONLY").Should().Be(RespValue.Ok);
        Run(s, "GET", "k");
        Run(s, "MGET", "k");
        _store.ReplicaReads.Should().Be(2);
        Run(Session(), "GET", "k");
        Run(s, "READWRITE").Should().Be(RespValue.Ok);
        Run(s, "GET", "k");
        _store.ReplicaReads.Should().Be(2);
    }

    [Fact]
    public void Hello_switches_the_protocol_and_answers_a_map()
    {
        var s = Session();
        var reply = Run(s, "HELLO", "3", "SETNAME", "app");
        s.Version.Should().Be(RespVersion.Resp3);
        s.Name.Should().Be("app");
        var map = reply.Should().BeOfType<RespValue.Map>().Which.Entries.ToDictionary(e => Encoding.UTF8.GetString(((RespValue.BulkString)e.Key).Bytes), e => e.Value);
        map["proto"].Should().Be(RespValue.Integer(3));
        map["id"].Should().Be(RespValue.Integer(7));
        map["mode"].Should().Be(RespValue.Bulk("cluster"));
        Run(s, "HELLO", "2");
        s.Version.Should().Be(RespVersion.Resp2);
        ErrorOf(Run(s, "HELLO", "4")).Should().Be("NOPROTO unsupported protocol version");
        ErrorOf(Run(s, "HELLO", "x")).Should().Be("ERR Protocol version is not an integer or out of range");
    }

    [Fact]
    public void With_a_password_nothing_but_auth_hello_and_quit_is_answered_before_auth()
    {
        var s = Session(new RespSettings { Port = 6379, Password = "secret" });
        ErrorOf(Run(s, "GET", "k")).Should().Be("NOAUTH Authentication required.");
        ErrorOf(Run(s, "PING")).Should().Be("NOAUTH Authentication required.");
        ErrorOf(Run(s, "NOSUCH")).Should().Be("NOAUTH Authentication required.");
        ErrorOf(Run(s, "AUTH", "wrong")).Should().Be("WRONGPASS invalid username-password pair or user is disabled.");
        ErrorOf(Run(s, "AUTH", "other", "secret")).Should().StartWith("WRONGPASS");
        Run(s, "AUTH", "secret").Should().Be(RespValue.Ok);
        Run(s, "PING").Should().Be(RespValue.Pong);

        var viaHello = Session(new RespSettings { Port = 6379, Password = "secret" });
        ErrorOf(Run(viaHello, "HELLO", "3")).Should().StartWith("NOAUTH HELLO must be called");
        Run(viaHello, "HELLO", "3", "AUTH", "default", "secret").Should().BeOfType<RespValue.Map>();
        viaHello.Authenticated.Should().BeTrue();
    }

    [Fact]
    public void Auth_without_a_configured_password_is_redis_s_error()
    {
        ErrorOf(Run(Session(), "AUTH", "x")).Should().StartWith("ERR AUTH <password> called without any password configured");
    }

    [Fact]
    public void Select_allows_only_database_zero()
    {
        var s = Session();
        Run(s, "SELECT", "0").Should().Be(RespValue.Ok);
        ErrorOf(Run(s, "SELECT", "1")).Should().Be("ERR SELECT is not allowed in cluster mode");
        ErrorOf(Run(s, "SELECT", "x")).Should().Be("ERR value is not an integer or out of range");
    }

    [Fact]
    public void Quit_answers_ok_and_marks_the_connection_for_closing()
    {
        var s = Session();
        Run(s, "QUIT").Should().Be(RespValue.Ok);
        s.CloseAfterReply.Should().BeTrue();
    }

    [Fact]
    public void Client_names_ids_and_library_info()
    {
        var s = Session();
        Text(Run(s, "CLIENT", "GETNAME")).Should().Be("$-1\r\n");
        Run(s, "CLIENT", "SETNAME", "worker-1").Should().Be(RespValue.Ok);
        Text(Run(s, "CLIENT", "GETNAME")).Should().Be("$8\r\nworker-1\r\n");
        ErrorOf(Run(s, "CLIENT", "SETNAME", "a b")).Should().Be("ERR Client names cannot contain spaces, newlines or special characters.");
        Text(Run(s, "CLIENT", "ID")).Should().Be(":7\r\n");
        Run(s, "CLIENT", "SETINFO", "LIB-NAME", "redis-py").Should().Be(RespValue.Ok);
        Run(s, "CLIENT", "SETINFO", "lib-ver", "5.0").Should().Be(RespValue.Ok);
        s.LibraryName.Should().Be("redis-py");
        ErrorOf(Run(s, "CLIENT", "SETINFO", "color", "x")).Should().Be("ERR Unrecognized option 'color'");
        ErrorOf(Run(s, "CLIENT", "KILLALL")).Should().Be("ERR unknown subcommand 'KILLALL'. Try CLIENT HELP.");
    }

    [Fact]
    public void Command_describes_every_command()
    {
        var s = Session();
        Text(Run(s, "COMMAND", "COUNT")).Should().Be($":{CommandTable.Commands.Count}\r\n");
        var all = Run(s, "COMMAND").Should().BeOfType<RespValue.Array>().Which.Items;
        all.Should().HaveCount(CommandTable.Commands.Count);
        var get = Run(s, "COMMAND", "INFO", "get").Should().BeOfType<RespValue.Array>().Which.Items.Single().Should().BeOfType<RespValue.Array>().Which.Items;
        get[0].Should().Be(RespValue.Bulk("get"));
        get[1].Should().Be(RespValue.Integer(2));
        get[3].Should().Be(RespValue.Integer(1));
        Run(s, "COMMAND", "DOCS", "set").Should().BeOfType<RespValue.Map>().Which.Entries.Should().ContainSingle();
        Run(s, "COMMAND", "DOCS").Should().BeOfType<RespValue.Map>().Which.Entries.Should().HaveCount(CommandTable.Commands.Count);
    }

    [Fact]
    public void Info_has_the_sections_with_figures()
    {
        var text = Run(Session(), "INFO").Should().BeOfType<RespValue.VerbatimString>().Which.Text;
        foreach (var section in new[] { "# Server", "# Clients", "# Memory", "# Stats", "# Replication", "# Cluster", "# Keyspace" })
            text.Should().Contain(section);
        text.Should().Contain("redis_mode:cluster").And.Contain("cluster_enabled:1").And.Contain("tcp_port:6379");
        var memory = ((RespValue.VerbatimString)Run(Session(), "INFO", "memory")).Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Select(l => l.Split(':', 2)).ToDictionary(f => f[0], f => f[1]);
        long.Parse(memory["used_memory"], CultureInfo.InvariantCulture).Should().BeGreaterThan(0);
        memory["used_memory_human"].Should().MatchRegex(@"^\d+(\.\d\d[KMGT]|B)$");
        long.Parse(memory["kvactors_gc_pause_total_ms"], CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(0);
        long.Parse(memory["kvactors_gc_allocated_bytes"], CultureInfo.InvariantCulture).Should().BeGreaterThan(0);
        var only = ((RespValue.VerbatimString)Run(Session(), "INFO", "clients")).Text;
        only.Should().StartWith("# Clients").And.NotContain("# Server");
    }

    [Fact]
    public void Info_keyspace_counts_the_keys_and_those_that_expire()
    {
        var s = Session();
        ((RespValue.VerbatimString)Run(s, "INFO", "keyspace")).Text.Should().Be("# Keyspace\r\n", "no db0 line while empty, as Redis");
        Run(s, "SET", "a", "1");
        Run(s, "SET", "b", "2", "EX", "100");
        Run(s, "SET", "c", "3");
        ((RespValue.VerbatimString)Run(s, "INFO", "keyspace")).Text.Should().Be("# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n");
        ((RespValue.VerbatimString)Run(s, "INFO")).Text.Should().Contain("db0:keys=3,expires=1,avg_ttl=0");
    }

    [Fact]
    public void Config_get_matches_globs()
    {
        var s = Session();
        var map = Run(s, "CONFIG", "GET", "max*").Should().BeOfType<RespValue.Map>().Which.Entries;
        map.Select(e => e.Key).Should().Equal(RespValue.Bulk("maxclients"));
        Run(s, "CONFIG", "GET", "nothing-like-this").Should().BeOfType<RespValue.Map>().Which.Entries.Should().BeEmpty();
        ErrorOf(Run(s, "CONFIG", "SET", "timeout", "1")).Should().StartWith("ERR CONFIG SET is not supported");
    }

    [Theory]
    [InlineData("SET k v NX XX", "ERR syntax error")]
    [InlineData("SET k v EX 10 PX 10", "ERR syntax error")]
    [InlineData("SET k v EX", "ERR syntax error")]
    [InlineData("SET k v EX ten", "ERR value is not an integer or out of range")]
    [InlineData("SET k v EX 0", "ERR invalid expire time in 'set' command")]
    [InlineData("SET k v BOGUS", "ERR syntax error")]
    [InlineData("INCRBY k x", "ERR value is not an integer or out of range")]
    [InlineData("EXPIRE k 10 NX XX", "ERR NX and XX, GT or LT options at the same time are not compatible")]
    [InlineData("PEXPIRE k 10 GT LT", "ERR GT and LT options at the same time are not compatible")]
    [InlineData("EXPIREAT k soon", "ERR value is not an integer or out of range")]
    [InlineData("PSETEX k 0 v", "ERR invalid expire time in 'psetex' command")]
    [InlineData("SCAN x", "ERR invalid cursor")]
    [InlineData("DECRBY k -9223372036854775808", "ERR decrement would overflow")]
    [InlineData("EXPIRE k 9223372036854775807", "ERR invalid expire time in 'expire' command")]
    [InlineData("EXPIRE k 10 BOGUS", "ERR Unsupported option BOGUS")]
    [InlineData("SETEX k 0 v", "ERR invalid expire time in 'setex' command")]
    [InlineData("SETEX k ten v", "ERR value is not an integer or out of range")]
    [InlineData("FLUSHALL", "ERR FLUSHALL is disabled on this node (kvactors.resp.flushall-enabled = off)")]
    public void Commands_are_checked_as_Redis_does_before_the_store(string line, string error)
    {
        ErrorOf(Run(Session(), line.Split(' '))).Should().Be(error);
    }

    [Fact]
    public void A_handler_that_fails_is_an_error_reply_not_a_crash()
    {
        var s = new RespSession(new RespNode(new RespSettings { Port = 1 }, new FailingStore(),
            new ClusterTopology(new NodeId("n:1"), new RespEndpoint("127.0.0.1", 1), () => new Dictionary<NodeId, RespEndpoint>()), "t"), 1, "x");
        ErrorOf(Run(s, "GET", "k")).Should().Be("ERR GET failed on this node: disk on fire");
    }

    private sealed class FailingStore : IRespStore
    {
        public Task<byte[]?> GetAsync(byte[] key, bool replicaRead) => Task.FromException<byte[]?>(new IOException("disk on fire."));
        public Task<bool> SetAsync(byte[] key, byte[] value) => Task.FromException<bool>(new IOException("disk on fire."));
        public Task<bool> DeleteAsync(byte[] key) => Task.FromException<bool>(new IOException("disk on fire."));
        public Task<KeyCounts> CountKeysAsync() => Task.FromException<KeyCounts>(new IOException("disk on fire."));
        public Task<KvActors.Client.KvScanPage> ScanAsync(int partition, ulong after, int count) => Task.FromException<KvActors.Client.KvScanPage>(new IOException("disk on fire."));
        public Task<(byte[]? Value, long ExpiresAtMs)> GetWithExpiryAsync(byte[] key, bool replicaRead) => Task.FromException<(byte[]?, long)>(new IOException("disk on fire."));
        public Task<KvActors.Store.Replication.CommandResult> ExecuteAsync(KvActors.Store.Replication.KvCommand command) => Task.FromException<KvActors.Store.Replication.CommandResult>(new IOException("disk on fire."));
    }
}
