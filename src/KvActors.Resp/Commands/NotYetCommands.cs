using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>
/// THE ONE PLACE for commands and options that need store operations KvActors does not have yet (TTL, conditional and
/// read-modify-write writes, key counts and scans, clearing). Each command is parsed and checked in full, as Redis
/// would (arity, integers, option syntax), and then answered with one error naming the missing store operation. When
/// the store gains an operation, replace its handler here (and the SET branch in <see cref="SetWithOptions"/>).
/// </summary>
internal static class NotYetCommands
{
    private const string Conditional = "a conditional write in the store";
    private const string ReadModifyWrite = "an atomic read-modify-write in the store";
    private const string Ttl = "key expiry (TTL) in the store";

    public static IEnumerable<CommandSpec> All =>
    [
        new("SETNX", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Sets a key only if it does not exist.", (_, c) => Missing(c, Conditional)),
        new("GETSET", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Sets a key and returns its old value.", (_, c) => Missing(c, ReadModifyWrite)),
        new("GETDEL", 2, ["write", "fast"], 1, 1, 1, "string", "Returns a key's value and deletes it.", (_, c) => Missing(c, ReadModifyWrite)),
        new("APPEND", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Appends to a key's value.", (_, c) => Missing(c, ReadModifyWrite)),
        new("INCR", 2, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Increments a key's integer value by one.", (_, c) => Missing(c, ReadModifyWrite)),
        new("DECR", 2, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Decrements a key's integer value by one.", (_, c) => Missing(c, ReadModifyWrite)),
        new("INCRBY", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Increments a key's integer value.", IncrBy),
        new("DECRBY", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Decrements a key's integer value.", IncrBy),
        new("EXPIRE", -3, ["write", "fast"], 1, 1, 1, "keyspace", "Sets a key's time to live in seconds.", Expire),
        new("PEXPIRE", -3, ["write", "fast"], 1, 1, 1, "keyspace", "Sets a key's time to live in milliseconds.", Expire),
        new("EXPIREAT", -3, ["write", "fast"], 1, 1, 1, "keyspace", "Sets a key's expiry as a Unix time in seconds.", Expire),
        new("PEXPIREAT", -3, ["write", "fast"], 1, 1, 1, "keyspace", "Sets a key's expiry as a Unix time in milliseconds.", Expire),
        new("SETEX", 4, ["write", "denyoom"], 1, 1, 1, "string", "Sets a key with a time to live in seconds.", SetEx),
        new("PSETEX", 4, ["write", "denyoom"], 1, 1, 1, "string", "Sets a key with a time to live in milliseconds.", SetEx),
        new("TTL", 2, ["readonly", "fast"], 1, 1, 1, "keyspace", "Returns a key's time to live in seconds.", (_, c) => Missing(c, Ttl)),
        new("PTTL", 2, ["readonly", "fast"], 1, 1, 1, "keyspace", "Returns a key's time to live in milliseconds.", (_, c) => Missing(c, Ttl)),
        new("PERSIST", 2, ["write", "fast"], 1, 1, 1, "keyspace", "Removes a key's expiry.", (_, c) => Missing(c, Ttl)),
    ];

    /// <summary>SET with any of NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL (already parsed and checked).</summary>
    public static RespValue SetWithOptions(SetOptions options) =>
        Error($"SET {options.Describe()}", options.Expiry is not null ? Ttl : options.Get ? ReadModifyWrite : Conditional);

    private static RespValue Error(string what, string missing) =>
        RespValue.Error($"ERR {what} needs {missing}, which KvActors does not have yet");

    private static ValueTask<RespValue> Missing(RespCommand command, string missing) => ValueTask.FromResult(Error(command.Name, missing));

    private static ValueTask<RespValue> IncrBy(RespSession session, RespCommand command) =>
        RespRequestParser.TryParseInteger(command[2], out _) ? Missing(command, ReadModifyWrite) : ValueTask.FromResult(Replies.NotInteger);

    private static ValueTask<RespValue> SetEx(RespSession session, RespCommand command)
    {
        if (!RespRequestParser.TryParseInteger(command[2], out var time)) return ValueTask.FromResult(Replies.NotInteger);
        if (time <= 0) return ValueTask.FromResult(RespValue.Error($"ERR invalid expire time in '{command.Name.ToLowerInvariant()}' command"));
        return Missing(command, Ttl);
    }

    private static ValueTask<RespValue> Expire(RespSession session, RespCommand command)
    {
        if (!RespRequestParser.TryParseInteger(command[2], out _)) return ValueTask.FromResult(Replies.NotInteger);
        var flags = new HashSet<string>();
        for (var i = 3; i < command.Count; i++)
        {
            var option = command.Upper(i);
            if (option is not ("NX" or "XX" or "GT" or "LT"))
                return ValueTask.FromResult(RespValue.Error($"ERR Unsupported option {command.Text(i)}"));
            flags.Add(option);
        }
        if (flags.Contains("NX") && flags.Count > 1)
            return ValueTask.FromResult(RespValue.Error("ERR NX and XX, GT or LT options at the same time are not compatible"));
        if (flags.Contains("GT") && flags.Contains("LT"))
            return ValueTask.FromResult(RespValue.Error("ERR GT and LT options at the same time are not compatible"));
        return Missing(command, Ttl);
    }
}
