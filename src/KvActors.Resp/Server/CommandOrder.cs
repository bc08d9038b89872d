using KvActors.Resp.Commands;
using KvActors.Resp.Protocol;
using KvActors.Storage;

namespace KvActors.Resp.Server;

/// <summary>
/// Runs one connection's commands so that each sees the effects of the connection's earlier commands, as Redis does: a
/// command on keys starts only once the connection's earlier commands on any of the same keys are done (SET k, then GET k
/// sees the write), and a keyless command on the keyspace (DBSIZE, SCAN, FLUSHALL) once all earlier ones are. Commands
/// on other keys still run concurrently: a write takes a replication round trip here, not microseconds as in Redis, so
/// running a pipeline's commands one after another would cost pipelining its point. (Ordered per slot, redis-benchmark
/// --cluster, whose keys share one hash tag per node, ran pipelined SETs at a third of the rate.) Used by the
/// connection's reader alone, so it needs no lock.
/// </summary>
internal sealed class CommandOrder
{
    /// <summary>The last command on each key still (possibly) running, since the last keyspace-wide command.</summary>
    private readonly Dictionary<byte[], Task> _lastByKey = new(ByteArrayComparer.Instance);

    private Task _lastKeyspaceWide = Task.CompletedTask;
    /// <summary>
    /// Completed commands are pruned once the table holds this many entries (or twice those still running). Kept small:
    /// each completed entry holds its command's task and key alive for nothing, and such middle-aged garbage is what the
    /// GC handles worst. At 256 (and 64 log entries kept per partition), single-node pipelined SET spent about a third of
    /// its time in collections, and these two kinds were about half of what they copied (the benchmarks' README).
    /// </summary>
    private const int PruneFloor = 32;

    private int _pruneAt = PruneFloor;

    public ValueTask<RespValue> Dispatch(RespSession session, RespCommand command)
    {
        if (!CommandTable.TryFind(command[0], out var spec)) return CommandTable.Dispatch(session, command, null);
        var keyed = spec.FirstKey > 0 && command.Count > spec.FirstKey;
        var keyspaceWide = !keyed && spec.FirstKey == 0 && (spec.Flags.Contains("write") || spec.Flags.Contains("readonly"));
        if (!keyed && !keyspaceWide) return CommandTable.Dispatch(session, command, spec); // connection and server state: in order already

        var keys = keyed ? spec.KeysOf(command) : [];
        var before = keyed ? Earlier(keys) : AllRunning();
        var reply = before.IsCompleted
            ? CommandTable.Dispatch(session, command, spec)
            : After(before, session.Snapshot(), command, spec);
        if (reply.IsCompleted)
        {
            foreach (var key in keys) _lastByKey.Remove(key); // what ran before on them is done, and so is this
            return reply;
        }
        var running = reply.AsTask();
        if (keyed)
        {
            foreach (var key in keys) _lastByKey[key] = running;
            if (_lastByKey.Count > _pruneAt) Prune();
        }
        else
        {
            _lastKeyspaceWide = running;
            _lastByKey.Clear(); // each of them runs before this one, and whatever comes later after it
        }
        return new ValueTask<RespValue>(running);
    }

    /// <summary>What a command on <paramref name="keys"/> must wait for: the earlier commands on those keys, or the last keyspace-wide one.</summary>
    private Task Earlier(byte[][] keys)
    {
        Task? single = null;
        List<Task>? several = null;
        foreach (var key in keys)
        {
            if (!_lastByKey.TryGetValue(key, out var earlier) || earlier.IsCompleted || earlier == single) continue;
            if (single is null) single = earlier;
            else (several ??= [single]).Add(earlier);
        }
        return several is not null ? Task.WhenAll(several) : single ?? _lastKeyspaceWide;
    }

    private Task AllRunning()
    {
        var running = _lastByKey.Values.Where(t => !t.IsCompleted).Distinct().Append(_lastKeyspaceWide).ToArray();
        return running.Length == 1 ? running[0] : Task.WhenAll(running);
    }

    private void Prune()
    {
        foreach (var (key, task) in _lastByKey)
            if (task.IsCompleted) _lastByKey.Remove(key);
        _pruneAt = Math.Max(PruneFloor, 2 * _lastByKey.Count);
    }

    private static async ValueTask<RespValue> After(Task before, RespSession session, RespCommand command, CommandSpec spec)
    {
        // A reply may complete on a partition actor's thread, which must not start the next request: resume on the pool.
        // Replies never fault (the dispatch turns failures into error replies); a fault here would change nothing.
        await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        return await CommandTable.Dispatch(session, command, spec).ConfigureAwait(false);
    }
}
