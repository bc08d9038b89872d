using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>
/// THE ONE PLACE for commands that need store operations KvActors does not have yet (key counts and scans, clearing).
/// Each command is parsed and checked in full, as Redis would (arity, integers, option syntax), and then answered with
/// one error naming the missing store operation. When the store gains an operation, replace its handler here.
/// </summary>
internal static class NotYetCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("DBSIZE", 1, ["readonly", "fast"], 0, 0, 0, "server", "Returns the number of keys.", (_, c) => Missing(c, "a key count in the store")),
        new("SCAN", -2, ["readonly"], 0, 0, 0, "keyspace", "Iterates over the keys.", Scan),
        new("FLUSHALL", -1, ["write"], 0, 0, 0, "server", "Deletes every key (only with kvactors.resp.flushall-enabled).", FlushAll),
    ];

    private static RespValue Error(string what, string missing) =>
        RespValue.Error($"ERR {what} needs {missing}, which KvActors does not have yet");

    private static ValueTask<RespValue> Missing(RespCommand command, string missing) => ValueTask.FromResult(Error(command.Name, missing));

    private static ValueTask<RespValue> Scan(RespSession session, RespCommand command)
    {
        if (!ulong.TryParse(command.Text(1), out _)) return ValueTask.FromResult(RespValue.Error("ERR invalid cursor"));
        for (var i = 2; i < command.Count; i += 2)
        {
            var option = command.Upper(i);
            if (option is not ("MATCH" or "COUNT" or "TYPE") || i + 1 >= command.Count) return ValueTask.FromResult(Replies.Syntax);
            if (option != "COUNT") continue;
            if (!RespRequestParser.TryParseInteger(command[i + 1], out var count)) return ValueTask.FromResult(Replies.NotInteger);
            if (count < 1) return ValueTask.FromResult(Replies.Syntax);
        }
        return Missing(command, "a key scan over the node's partitions in the store");
    }

    private static ValueTask<RespValue> FlushAll(RespSession session, RespCommand command)
    {
        if (command.Count > 2 || (command.Count == 2 && command.Upper(1) is not ("SYNC" or "ASYNC"))) return ValueTask.FromResult(Replies.Syntax);
        if (!session.Node.Settings.FlushAllEnabled)
            return ValueTask.FromResult(RespValue.Error("ERR FLUSHALL is disabled on this node (kvactors.resp.flushall-enabled = off)"));
        return Missing(command, "a clear-everything operation in the store");
    }
}
