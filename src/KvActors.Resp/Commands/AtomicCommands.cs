using KvActors.Client;
using KvActors.Resp.Protocol;
using KvActors.Storage;
using KvActors.Store.Replication;

namespace KvActors.Resp.Commands;

/// <summary>
/// SET with options, SETNX, GETSET, GETDEL, APPEND, INCR/DECR/INCRBY/DECRBY, SETEX/PSETEX, EXPIRE/PEXPIRE/EXPIREAT/
/// PEXPIREAT, TTL/PTTL and PERSIST. Each write is one store command, evaluated once at the key's primary in log order
/// and answered once committed (so it is atomic and linearizable); TTL and PTTL are reads. Replies as Redis 7's.
/// </summary>
internal static class AtomicCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("SETNX", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Sets a key only if it does not exist.", SetNx),
        new("GETSET", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Sets a key and returns its old value.", GetSet),
        new("GETDEL", 2, ["write", "fast"], 1, 1, 1, "string", "Returns a key's value and deletes it.", GetDel),
        new("APPEND", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Appends to a key's value.", Append),
        new("INCR", 2, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Increments a key's integer value by one.", (s, c) => Increment(s, c, 1)),
        new("DECR", 2, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Decrements a key's integer value by one.", (s, c) => Increment(s, c, -1)),
        new("INCRBY", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Increments a key's integer value.", IncrBy),
        new("DECRBY", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string", "Decrements a key's integer value.", IncrBy),
        new("SETEX", 4, ["write", "denyoom"], 1, 1, 1, "string", "Sets a key with a time to live in seconds.", SetEx),
        new("PSETEX", 4, ["write", "denyoom"], 1, 1, 1, "string", "Sets a key with a time to live in milliseconds.", SetEx),
        new("EXPIRE", -3, ["write", "fast"], 1, 1, 1, "keyspace", "Sets a key's time to live in seconds.", Expire),
        new("PEXPIRE", -3, ["write", "fast"], 1, 1, 1, "keyspace", "Sets a key's time to live in milliseconds.", Expire),
        new("EXPIREAT", -3, ["write", "fast"], 1, 1, 1, "keyspace", "Sets a key's expiry as a Unix time in seconds.", Expire),
        new("PEXPIREAT", -3, ["write", "fast"], 1, 1, 1, "keyspace", "Sets a key's expiry as a Unix time in milliseconds.", Expire),
        new("TTL", 2, ["readonly", "fast"], 1, 1, 1, "keyspace", "Returns a key's time to live in seconds.", Ttl),
        new("PTTL", 2, ["readonly", "fast"], 1, 1, 1, "keyspace", "Returns a key's time to live in milliseconds.", Ttl),
        new("PERSIST", 2, ["write", "fast"], 1, 1, 1, "keyspace", "Removes a key's expiry.", Persist),
    ];

    /// <summary>SET with any of NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL (already parsed and checked).</summary>
    public static ValueTask<RespValue> SetWithOptions(RespSession session, RespCommand command, SetOptions options)
    {
        var condition = options.Condition switch { "NX" => SetCondition.IfAbsent, "XX" => SetCondition.IfPresent, _ => SetCondition.Always };
        var expiry = options.Expiry switch
        {
            "EX" => Expiry.After(options.ExpiryValue * 1000),
            "PX" => Expiry.After(options.ExpiryValue),
            "EXAT" => Expiry.At(options.ExpiryValue * 1000),
            "PXAT" => Expiry.At(options.ExpiryValue),
            "KEEPTTL" => Expiry.Keep,
            _ => Expiry.None,
        };
        return Run(session, "set", new SetCommand(command[1], command[2], condition, options.Get, expiry),
            r => options.Get ? Bulk(r.Value) : r.Applied ? RespValue.Ok : RespValue.Null);
    }

    private static ValueTask<RespValue> SetNx(RespSession session, RespCommand command) =>
        Run(session, "setnx", new SetCommand(command[1], command[2], SetCondition.IfAbsent), r => RespValue.Integer(r.Applied ? 1 : 0));

    private static ValueTask<RespValue> GetSet(RespSession session, RespCommand command) =>
        Run(session, "getset", new SetCommand(command[1], command[2], ReturnOld: true), r => Bulk(r.Value));

    private static ValueTask<RespValue> GetDel(RespSession session, RespCommand command) =>
        Run(session, "getdel", new GetDeleteCommand(command[1]), r => Bulk(r.Value));

    private static ValueTask<RespValue> Append(RespSession session, RespCommand command) =>
        Run(session, "append", new AppendCommand(command[1], command[2]), r => RespValue.Integer(r.Number));

    private static ValueTask<RespValue> Increment(RespSession session, RespCommand command, long delta) =>
        Run(session, command.Name.ToLowerInvariant(), new IncrementCommand(command[1], delta), r => RespValue.Integer(r.Number));

    private static ValueTask<RespValue> IncrBy(RespSession session, RespCommand command)
    {
        if (!RespRequestParser.TryParseInteger(command[2], out var delta)) return ValueTask.FromResult(Replies.NotInteger);
        if (command.Name == "DECRBY")
        {
            if (delta == long.MinValue) return ValueTask.FromResult(RespValue.Error("ERR decrement would overflow"));
            delta = -delta;
        }
        return Increment(session, command, delta);
    }

    private static ValueTask<RespValue> SetEx(RespSession session, RespCommand command)
    {
        var name = command.Name.ToLowerInvariant();
        if (!RespRequestParser.TryParseInteger(command[2], out var time)) return ValueTask.FromResult(Replies.NotInteger);
        if (time <= 0 || (name == "setex" && time > long.MaxValue / 1000)) return ValueTask.FromResult(InvalidExpire(name));
        var expiry = Expiry.After(name == "setex" ? time * 1000 : time);
        return Run(session, name, new SetCommand(command[1], command[3], Expiry: expiry), _ => RespValue.Ok);
    }

    private static ValueTask<RespValue> Expire(RespSession session, RespCommand command)
    {
        var name = command.Name.ToLowerInvariant();
        if (!RespRequestParser.TryParseInteger(command[2], out var time)) return ValueTask.FromResult(Replies.NotInteger);
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
        var seconds = name is "expire" or "expireat";
        if (seconds && (time > long.MaxValue / 1000 || time < long.MinValue / 1000)) return ValueTask.FromResult(InvalidExpire(name));
        var ms = seconds ? time * 1000 : time;
        var when = name is "expire" or "pexpire" ? Expiry.After(ms) : Expiry.At(ms);
        var condition = flags.Contains("NX") ? ExpireCondition.IfNoExpiry
            : flags.Contains("XX") ? ExpireCondition.IfHasExpiry
            : flags.Contains("GT") ? ExpireCondition.IfGreater
            : flags.Contains("LT") ? ExpireCondition.IfLess
            : ExpireCondition.Always;
        return Run(session, name, new ExpireCommand(command[1], when, condition), r => RespValue.Integer(r.Applied ? 1 : 0));
    }

    private static ValueTask<RespValue> Persist(RespSession session, RespCommand command) =>
        Run(session, "persist", new PersistCommand(command[1]), r => RespValue.Integer(r.Applied ? 1 : 0));

    private static async ValueTask<RespValue> Ttl(RespSession session, RespCommand command)
    {
        try
        {
            var (value, expiresAt) = await session.Node.Store.GetWithExpiryAsync(command[1], session.ReplicaReads).ConfigureAwait(false);
            if (value is null) return RespValue.Integer(-2);
            if (expiresAt == 0) return RespValue.Integer(-1);
            var left = Math.Max(0, expiresAt - session.Node.Clock.GetUtcNow().ToUnixTimeMilliseconds());
            // TTL rounds to the nearest second, as Redis does.
            return RespValue.Integer(command.Name == "PTTL" ? left : (left + 500) / 1000);
        }
        catch (KvClientException e)
        {
            return Replies.StoreFailure(e);
        }
    }

    /// <summary>Runs a command at the key's primary and turns its answer into a reply; the store's errors in Redis's words.</summary>
    private static async ValueTask<RespValue> Run(RespSession session, string name, KvCommand command, Func<CommandResult, RespValue> reply)
    {
        try
        {
            var result = await session.Node.Store.ExecuteAsync(command).ConfigureAwait(false);
            return result.Error switch
            {
                CommandError.None => reply(result),
                CommandError.NotAnInteger => Replies.NotInteger,
                CommandError.Overflow => RespValue.Error("ERR increment or decrement would overflow"),
                // Redis's words, with the limit that applies here: the store's, not proto-max-bulk-len.
                CommandError.ValueTooLarge => RespValue.Error(
                    $"ERR string exceeds maximum allowed size of {session.Node.Settings.Limits.MaxValueLength} bytes ({StorageSettings.Section}.max-value-size)"),
                _ => InvalidExpire(name),
            };
        }
        catch (KvClientException e)
        {
            return Replies.StoreFailure(e);
        }
    }

    private static RespValue Bulk(byte[]? value) => value is null ? RespValue.Null : RespValue.Bulk(value);

    private static RespValue InvalidExpire(string name) => RespValue.Error($"ERR invalid expire time in '{name}' command");
}
