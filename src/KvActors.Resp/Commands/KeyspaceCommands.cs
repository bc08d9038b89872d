using System.Globalization;
using KvActors.Client;
using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>
/// DBSIZE, SCAN and FLUSHALL: the node's keys as a whole. DBSIZE and SCAN are per node, as in Redis Cluster: the keys of
/// the partitions this node is primary of. FLUSHALL (only with kvactors.resp.flushall-enabled) deletes every key of the
/// cluster through the normal replicated write path, page by page: it is not atomic, so a key written while it runs
/// may survive it (as a Redis Cluster node's FLUSHALL is not atomic across the cluster either).
/// </summary>
internal static class KeyspaceCommands
{
    /// <summary>SCAN's COUNT when none is given (Redis's).</summary>
    private const int DefaultScanCount = 10;

    /// <summary>FLUSHALL's page size, and how many partitions it empties at once.</summary>
    private const int FlushPage = 256;
    private const int FlushParallelism = 8;

    public static IEnumerable<CommandSpec> All =>
    [
        new("DBSIZE", 1, ["readonly", "fast"], 0, 0, 0, "server", "Returns the number of keys in the partitions this node leads.", DbSize),
        new("SCAN", -2, ["readonly"], 0, 0, 0, "keyspace", "Iterates over the keys of the partitions this node leads.", Scan),
        new("FLUSHALL", -1, ["write"], 0, 0, 0, "server", "Deletes every key of the cluster (only with kvactors.resp.flushall-enabled; not atomic).", FlushAll),
    ];

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

    private static ValueTask<RespValue> DbSize(RespSession session, RespCommand command) =>
        Store(async () => RespValue.Integer((await session.Node.Store.CountKeysAsync().ConfigureAwait(false)).Keys));

    private sealed record ScanOptions(byte[]? Match, int Count, bool StringsWanted);

    private static ValueTask<RespValue> Scan(RespSession session, RespCommand command)
    {
        if (!ulong.TryParse(command.Text(1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return ValueTask.FromResult(RespValue.Error("ERR invalid cursor"));
        byte[]? match = null;
        var count = DefaultScanCount;
        var strings = true;
        for (var i = 2; i < command.Count; i += 2)
        {
            var option = command.Upper(i);
            if (option is not ("MATCH" or "COUNT" or "TYPE") || i + 1 >= command.Count) return ValueTask.FromResult(Replies.Syntax);
            switch (option)
            {
                case "MATCH":
                    match = command[i + 1];
                    break;
                case "TYPE":
                    // Every key holds a string: another type matches none (Redis accepts any type name here).
                    strings = command.Text(i + 1).Equals("string", StringComparison.OrdinalIgnoreCase);
                    break;
                default:
                    if (!RespRequestParser.TryParseInteger(command[i + 1], out var n)) return ValueTask.FromResult(Replies.NotInteger);
                    if (n < 1) return ValueTask.FromResult(Replies.Syntax);
                    count = (int)Math.Min(n, 100_000);
                    break;
            }
        }
        if (session.Node.Topology.Ring is not { } ring)
            return ValueTask.FromResult(RespValue.Error("CLUSTERDOWN this node has no ring yet"));
        var self = session.Node.Topology.Self;
        var led = Enumerable.Range(0, ring.PartitionCount).Where(p => ring[p].Primary == self).ToList();
        return Store(() => ScanPages(session, ScanCursor.Of(value), led, new ScanOptions(match, count, strings)));
    }

    /// <summary>
    /// From <paramref name="cursor"/> through the partitions <paramref name="led"/> (ascending), page by page, until
    /// COUNT keys were looked at or the last partition is done (cursor 0). A cursor in a partition this node no longer
    /// leads goes on with the next one it does.
    /// </summary>
    private static async Task<RespValue> ScanPages(RespSession session, ScanCursor cursor, IReadOnlyList<int> led, ScanOptions options)
    {
        var keys = new List<RespValue>();
        var looked = 0;
        var index = 0;
        while (index < led.Count && led[index] < cursor.Partition) index++;
        var after = index < led.Count && led[index] == cursor.Partition ? cursor.After : 0;
        while (index < led.Count && looked < options.Count)
        {
            var partition = led[index];
            var page = await session.Node.Store.ScanAsync(partition, after, options.Count - looked).ConfigureAwait(false);
            looked += page.Keys.Count;
            foreach (var key in page.Keys)
                if (options.StringsWanted && (options.Match is null || Glob.Matches(options.Match, key)))
                    keys.Add(RespValue.Bulk(key));
            if (page.Next != 0)
            {
                after = page.Next;
                continue;
            }
            index++;
            after = 0;
        }
        var next = index < led.Count ? new ScanCursor(led[index], after) : ScanCursor.Start;
        return RespValue.ArrayOf(RespValue.Bulk(next.ToString()), new RespValue.Array(keys));
    }

    private static ValueTask<RespValue> FlushAll(RespSession session, RespCommand command)
    {
        // ASYNC is taken as SYNC: the keyspace must look empty once OK is sent, and freeing memory is the store's affair.
        if (command.Count > 2 || (command.Count == 2 && command.Upper(1) is not ("SYNC" or "ASYNC"))) return ValueTask.FromResult(Replies.Syntax);
        if (!session.Node.Settings.FlushAllEnabled)
            return ValueTask.FromResult(RespValue.Error("ERR FLUSHALL is disabled on this node (kvactors.resp.flushall-enabled = off)"));
        if (session.Node.Topology.Ring is not { } ring)
            return ValueTask.FromResult(RespValue.Error("CLUSTERDOWN this node has no ring yet"));
        return Store(async () =>
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, ring.PartitionCount), new ParallelOptions { MaxDegreeOfParallelism = FlushParallelism },
                async (partition, _) => await EmptyPartition(session, partition).ConfigureAwait(false)).ConfigureAwait(false);
            return RespValue.Ok;
        });
    }

    /// <summary>Deletes each key of <paramref name="partition"/> at its primary, page by page, until a page is the last.</summary>
    private static async Task EmptyPartition(RespSession session, int partition)
    {
        var store = session.Node.Store;
        ulong after = 0;
        do
        {
            var page = await store.ScanAsync(partition, after, FlushPage).ConfigureAwait(false);
            await Task.WhenAll(page.Keys.Select(store.DeleteAsync)).ConfigureAwait(false);
            after = page.Next;
        }
        while (after != 0);
    }
}
