using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using KvActors.Resp.Cluster;
using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>COMMAND (COUNT, DOCS, INFO, LIST), INFO, CONFIG GET: what redis-cli, redis-benchmark and client libraries ask a server.</summary>
internal static class ServerCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("COMMAND", -1, ["loading", "stale"], 0, 0, 0, "server", "Describes the commands (COMMAND, COUNT, DOCS, INFO, LIST).", Command),
        new("INFO", -1, ["loading", "stale"], 0, 0, 0, "server", "Returns information and figures about the node.", Info),
        new("CONFIG", -2, ["admin", "noscript", "loading", "stale"], 0, 0, 0, "server", "CONFIG GET: the settings clients ask about.", Config),
    ];

    private static ValueTask<RespValue> Done(RespValue value) => ValueTask.FromResult(value);

    private static ValueTask<RespValue> Command(RespSession session, RespCommand command)
    {
        var specs = CommandTable.Commands.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        if (command.Count == 1) return Done(new RespValue.Array(specs.Select(Entry).ToList()));
        var sub = command.Upper(1);
        var named = command.Arguments.Skip(2).Select(a => Encoding.UTF8.GetString(a)).ToList();
        switch (sub)
        {
            case "COUNT" when command.Count == 2:
                return Done(RespValue.Integer(specs.Count));
            case "LIST" when command.Count == 2:
                return Done(new RespValue.Array(specs.Select(c => RespValue.Bulk(c.Name.ToLowerInvariant())).ToList()));
            case "INFO":
                return Done(new RespValue.Array(named.Select(n => CommandTable.Commands.TryGetValue(n, out var c) ? Entry(c) : RespValue.NullArray).ToList()));
            case "DOCS":
                var wanted = named.Count == 0 ? specs : named.Where(CommandTable.Commands.ContainsKey).Select(n => CommandTable.Commands[n]).ToList();
                return Done(new RespValue.Map(wanted.Select(c => new KeyValuePair<RespValue, RespValue>(RespValue.Bulk(c.Name.ToLowerInvariant()), Docs(c))).ToList()));
            default:
                return Done(Replies.UnknownSubcommand(command));
        }
    }

    /// <summary>Redis 7's command entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands.</summary>
    private static RespValue Entry(CommandSpec c) => RespValue.ArrayOf(
        RespValue.Bulk(c.Name.ToLowerInvariant()),
        RespValue.Integer(c.Arity),
        new RespValue.Set(c.Flags.Select(f => (RespValue)new RespValue.SimpleString(f)).ToList()),
        RespValue.Integer(c.FirstKey),
        RespValue.Integer(c.LastKey),
        RespValue.Integer(c.Step),
        new RespValue.Set([new RespValue.SimpleString("@" + c.Group)]),
        new RespValue.Set([]),
        RespValue.EmptyArray,
        RespValue.EmptyArray);

    private static RespValue Docs(CommandSpec c) => RespValue.MapOf(
        ("summary", RespValue.Bulk(c.Summary)),
        ("since", RespValue.Bulk("1.0.0")),
        ("group", RespValue.Bulk(c.Group)));

    private static ValueTask<RespValue> Info(RespSession session, RespCommand command)
    {
        var asked = command.Arguments.Skip(1).Select(a => Encoding.UTF8.GetString(a).ToLowerInvariant()).ToHashSet();
        var everything = asked.Count == 0 || asked.Overlaps(["all", "default", "everything"]);
        if (!everything && !asked.Contains(InfoSections.KeyspaceSection)) return Done(InfoText(session, asked, everything, null));
        return WithKeyCounts(session, asked, everything);
    }

    /// <summary>INFO with the keyspace section: the key counts first (a failure to count leaves its line out; INFO itself always answers).</summary>
    private static async ValueTask<RespValue> WithKeyCounts(RespSession session, HashSet<string> asked, bool everything)
    {
        KeyCounts? counts;
        try
        {
            counts = await session.Node.Store.CountKeysAsync().ConfigureAwait(false);
        }
        catch (KvActors.Client.KvClientException)
        {
            counts = null;
        }
        return InfoText(session, asked, everything, counts);
    }

    private static RespValue InfoText(RespSession session, HashSet<string> asked, bool everything, KeyCounts? counts)
    {
        var text = new StringBuilder();
        foreach (var (name, write) in InfoSections.All)
        {
            if (!everything && !asked.Contains(name)) continue;
            if (text.Length > 0) text.Append("\r\n");
            text.Append("# ").Append(char.ToUpperInvariant(name[0])).Append(name[1..]).Append("\r\n");
            foreach (var (field, value) in write(session, counts)) text.Append(field).Append(':').Append(value).Append("\r\n");
        }
        return new RespValue.VerbatimString(text.ToString());
    }

    private static ValueTask<RespValue> Config(RespSession session, RespCommand command)
    {
        var sub = command.Upper(1);
        if (sub == "GET" && command.Count >= 3)
        {
            var settings = ConfigValues(session);
            var matches = new List<KeyValuePair<RespValue, RespValue>>();
            foreach (var pattern in command.Arguments.Skip(2).Select(a => Encoding.UTF8.GetString(a).ToLowerInvariant()))
                foreach (var (key, value) in settings)
                    if (Glob.Matches(pattern, key) && matches.All(m => !m.Key.Equals(RespValue.Bulk(key))))
                        matches.Add(new(RespValue.Bulk(key), RespValue.Bulk(value)));
            return Done(new RespValue.Map(matches));
        }
        if (sub == "SET")
            return Done(RespValue.Error("ERR CONFIG SET is not supported: set kvactors.resp.* in the node's configuration and restart it"));
        if (sub == "RESETSTAT" && command.Count == 2) return Done(RespValue.Ok);
        return command.Count < 3 && sub == "GET" ? Done(Replies.WrongArity("config|get")) : Done(Replies.UnknownSubcommand(command));
    }

    /// <summary>The settings CONFIG GET reports, Redis's names with this node's values.</summary>
    private static IEnumerable<(string, string)> ConfigValues(RespSession session)
    {
        var s = session.Node.Settings;
        var inv = CultureInfo.InvariantCulture;
        return
        [
            ("port", session.Node.Port.ToString(inv)),
            ("bind", s.Host),
            ("maxclients", s.MaxClients.ToString(inv)),
            ("timeout", ((long)s.Timeout.TotalSeconds).ToString(inv)),
            ("proto-max-bulk-len", s.Limits.MaxBulkLength.ToString(inv)),
            ("client-query-buffer-limit", s.Limits.MaxCommandBytes.ToString(inv)),
            ("databases", "1"),
            ("cluster-enabled", "yes"),
            ("replica-read-only", "yes"),
            ("slave-read-only", "yes"),
            // Persistence is the store's write-ahead log, not Redis's RDB or AOF.
            ("save", ""),
            ("appendonly", "no"),
        ];
    }

    internal static readonly string OsName = $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}";
}
