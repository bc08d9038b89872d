using KvActors.Client;
using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>
/// GET, SET (plain), MGET, MSET, DEL, UNLINK, EXISTS, STRLEN, TYPE over the store's Put, Get and Delete. Multi-key
/// commands follow Redis Cluster: every key in one slot, else CROSSSLOT; their keys are then sent concurrently.
/// </summary>
internal static class StringCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("GET", 2, ["readonly", "fast"], 1, 1, 1, "string", "Returns the string value of a key.", Get, AnswersFailures: true),
        new("SET", -3, ["write", "denyoom"], 1, 1, 1, "string", "Sets the string value of a key, with NX/XX/GET/EX/PX/EXAT/PXAT/KEEPTTL.", Set,
            AnswersFailures: true),
        new("MGET", -2, ["readonly", "fast"], 1, -1, 1, "string", "Returns the values of keys of one slot.", MGet),
        new("MSET", -3, ["write", "denyoom"], 1, -1, 2, "string", "Sets keys of one slot (each write atomic on its own).", MSet),
        new("DEL", -2, ["write"], 1, -1, 1, "keyspace", "Deletes keys of one slot; returns how many existed.", Del),
        new("UNLINK", -2, ["write", "fast"], 1, -1, 1, "keyspace", "Deletes keys of one slot (as DEL).", Del),
        new("EXISTS", -2, ["readonly", "fast"], 1, -1, 1, "keyspace", "Counts the keys (of one slot) that exist.", Exists),
        new("STRLEN", 2, ["readonly", "fast"], 1, 1, 1, "string", "Returns the length of a string value.", StrLen),
        new("TYPE", 2, ["readonly", "fast"], 1, 1, 1, "keyspace", "Returns the type of a key: string or none.", Type),
    ];

    /// <summary>Runs a store call; a <see cref="KvClientException"/> becomes one error reply.</summary>
    private static async ValueTask<RespValue> Store(Func<Task<RespValue>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (KvClientException e)
        {
            return Replies.StoreFailure(e);
        }
    }

    // GET and plain SET are most of a benchmark's commands: one async method each, no closure, and the store's answer
    // completes them on the answering actor's thread (the connection's writer moves to the thread pool). Each answers
    // every failure itself (AnswersFailures), so the dispatch adds no async method of its own to catch them.
    private static async ValueTask<RespValue> Get(RespSession session, RespCommand command)
    {
        try
        {
            var value = session.ReplicaReads
                ? await session.Node.Store.GetAsync(command[1], replicaRead: true).ConfigureAwait(false)
                : await session.Node.Store.GetForReplyAsync(command[1]).ConfigureAwait(false);
            return value is null ? RespValue.Null : RespValue.Bulk(value);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failure("GET", e);
        }
    }

    /// <summary>A store failure's own reply, any other failure's the dispatch's.</summary>
    private static RespValue Failure(string name, Exception e) =>
        e is KvClientException store ? Replies.StoreFailure(store) : CommandTable.Failed(name, e);

    private static ValueTask<RespValue> Set(RespSession session, RespCommand command)
    {
        if (command.Count == 3) return PlainSet(session, command);
        var options = SetOptions.Parse(command);
        if (options.Error is { } error) return ValueTask.FromResult(error);
        if (!options.IsPlain) return CommandTable.Guarded(AtomicCommands.SetWithOptions(session, command, options), "SET");
        return PlainSet(session, command);
    }

    private static async ValueTask<RespValue> PlainSet(RespSession session, RespCommand command)
    {
        try
        {
            await session.Node.Store.SetForReplyAsync(command[1], command[2]).ConfigureAwait(false);
            return RespValue.Ok;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failure("SET", e);
        }
    }

    private static ValueTask<RespValue> MGet(RespSession session, RespCommand command)
    {
        var keys = command.Arguments[1..];
        if (Replies.CrossSlotOrNull(keys) is { } crossSlot) return ValueTask.FromResult(crossSlot);
        return Store(async () =>
        {
            var values = await Task.WhenAll(keys.Select(k => session.Node.Store.GetAsync(k, session.ReplicaReads))).ConfigureAwait(false);
            return new RespValue.Array(values.Select(v => v is null ? RespValue.Null : RespValue.Bulk(v)).ToArray());
        });
    }

    private static ValueTask<RespValue> MSet(RespSession session, RespCommand command)
    {
        if (command.Count % 2 == 0) return ValueTask.FromResult(Replies.WrongArity("mset"));
        var pairs = Enumerable.Range(0, (command.Count - 1) / 2).Select(i => (Key: command[1 + 2 * i], Value: command[2 + 2 * i])).ToList();
        if (Replies.CrossSlotOrNull(pairs.Select(p => p.Key)) is { } crossSlot) return ValueTask.FromResult(crossSlot);
        // A key given twice keeps its last value, as in Redis: only the last write of each key is sent.
        var last = pairs.GroupBy(p => Convert.ToBase64String(p.Key)).Select(g => g.Last()).ToList();
        return Store(async () =>
        {
            await Task.WhenAll(last.Select(p => session.Node.Store.SetAsync(p.Key, p.Value))).ConfigureAwait(false);
            return RespValue.Ok;
        });
    }

    private static ValueTask<RespValue> Del(RespSession session, RespCommand command)
    {
        var keys = command.Arguments[1..];
        if (Replies.CrossSlotOrNull(keys) is { } crossSlot) return ValueTask.FromResult(crossSlot);
        // A key named twice is deleted once and counted once, as in Redis.
        var distinct = keys.DistinctBy(Convert.ToBase64String).ToList();
        return Store(async () =>
        {
            var existed = await Task.WhenAll(distinct.Select(k => session.Node.Store.DeleteAsync(k))).ConfigureAwait(false);
            return RespValue.Integer(existed.Count(e => e));
        });
    }

    private static ValueTask<RespValue> Exists(RespSession session, RespCommand command)
    {
        var keys = command.Arguments[1..];
        if (Replies.CrossSlotOrNull(keys) is { } crossSlot) return ValueTask.FromResult(crossSlot);
        // A key named twice counts twice, as in Redis.
        return Store(async () =>
        {
            var values = await Task.WhenAll(keys.Select(k => session.Node.Store.GetAsync(k, session.ReplicaReads))).ConfigureAwait(false);
            return RespValue.Integer(values.Count(v => v is not null));
        });
    }

    private static ValueTask<RespValue> StrLen(RespSession session, RespCommand command) =>
        Store(async () => RespValue.Integer((await session.Node.Store.GetAsync(command[1], session.ReplicaReads).ConfigureAwait(false))?.Length ?? 0));

    private static readonly RespValue StringType = new RespValue.SimpleString("string");
    private static readonly RespValue NoneType = new RespValue.SimpleString("none");

    private static ValueTask<RespValue> Type(RespSession session, RespCommand command) =>
        Store(async () => await session.Node.Store.GetAsync(command[1], session.ReplicaReads).ConfigureAwait(false) is null ? NoneType : StringType);
}
