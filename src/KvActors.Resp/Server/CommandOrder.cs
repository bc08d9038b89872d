using KvActors.Resp.Commands;
using KvActors.Resp.Protocol;
using KvActors.Store.Partitioning;

namespace KvActors.Resp.Server;

/// <summary>
/// Runs one connection's commands in the order Redis Cluster promises a client: a command on keys starts only once the
/// connection's earlier commands on the same slot are done (SET k, then GET k sees the write), and a keyless command on
/// the keyspace (DBSIZE, SCAN, FLUSHALL) once all earlier ones are; commands on other slots still run concurrently, as
/// a cluster client's commands to different nodes do. Used by the connection's reader alone, so it needs no lock.
/// </summary>
internal sealed class CommandOrder
{
    /// <summary>The last command on each slot still (possibly) running, since the last keyspace-wide command.</summary>
    private readonly Dictionary<int, Task> _lastBySlot = [];

    private Task _lastKeyspaceWide = Task.CompletedTask;
    private int _pruneAt = 256;

    public ValueTask<RespValue> Dispatch(RespSession session, RespCommand command)
    {
        if (!CommandTable.TryFind(command[0], out var spec)) return CommandTable.Dispatch(session, command);
        var keyed = spec.FirstKey > 0 && command.Count > spec.FirstKey;
        var keyspaceWide = !keyed && spec.FirstKey == 0 && (spec.Flags.Contains("write") || spec.Flags.Contains("readonly"));
        if (!keyed && !keyspaceWide) return CommandTable.Dispatch(session, command); // connection and server state: in order already

        // Multi-key commands need one slot (else CROSSSLOT), so the first key's slot stands for all.
        var slot = keyed ? HashSlot.Of(command[spec.FirstKey]) : -1;
        var before = keyed ? _lastBySlot.GetValueOrDefault(slot, _lastKeyspaceWide) : AllRunning();
        var reply = before.IsCompleted
            ? CommandTable.Dispatch(session, command)
            : After(before, session.Snapshot(), command);
        if (reply.IsCompleted)
        {
            if (keyed) _lastBySlot.Remove(slot);
            return reply;
        }
        var running = reply.AsTask();
        if (keyed)
        {
            _lastBySlot[slot] = running;
            if (_lastBySlot.Count > _pruneAt) Prune();
        }
        else
        {
            _lastKeyspaceWide = running;
            _lastBySlot.Clear(); // each of them runs before this one, and whatever comes later after it
        }
        return new ValueTask<RespValue>(running);
    }

    private Task AllRunning()
    {
        var running = _lastBySlot.Values.Where(t => !t.IsCompleted).Append(_lastKeyspaceWide).ToArray();
        return running.Length == 1 ? running[0] : Task.WhenAll(running);
    }

    private void Prune()
    {
        foreach (var (slot, task) in _lastBySlot)
            if (task.IsCompleted) _lastBySlot.Remove(slot);
        _pruneAt = Math.Max(256, 2 * _lastBySlot.Count);
    }

    private static async ValueTask<RespValue> After(Task before, RespSession session, RespCommand command)
    {
        // A reply may complete on a partition actor's thread, which must not start the next request: resume on the pool.
        // Replies never fault (the dispatch turns failures into error replies); a fault here would change nothing.
        await before.ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.SuppressThrowing);
        return await CommandTable.Dispatch(session, command).ConfigureAwait(false);
    }
}
