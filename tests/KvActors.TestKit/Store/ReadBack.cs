using KvActors.Client;
using KvActors.Store.Partitioning;

namespace KvActors.TestKit.Store;

/// <summary>Reads data back after a fault: from the primaries, or from every replica, a bounded number of reads at a time.</summary>
public static class ReadBack
{
    private const int Parallelism = 32;

    /// <summary>One sentence per key of <paramref name="expected"/> that does not read back its value from its primary (a leased read).</summary>
    public static async Task<IReadOnlyList<string>> MismatchesAsync(KvClient client, IReadOnlyDictionary<string, string> expected)
    {
        var found = await ForEach(expected, async kv =>
        {
            try
            {
                var value = await client.GetAsync(kv.Key);
                return value == kv.Value ? null : $"{kv.Key}: expected '{kv.Value}', read {(value is null ? "nothing" : $"'{value}'")}";
            }
            catch (KvClientException e)
            {
                return $"{kv.Key}: the read failed ({e.Message})";
            }
        });
        return found;
    }

    /// <summary>
    /// For every key of <paramref name="keys"/>, a replica read (possibly stale: each replica's committed state) from
    /// every in-sync replica of its partition in <paramref name="ring"/>, compared with <paramref name="expected"/>
    /// (the primary's values): one sentence per disagreement.
    /// </summary>
    public static Task<IReadOnlyList<string>> ReplicaDisagreementsAsync(KvClient client, RingState ring, IReadOnlyDictionary<string, string> expected) =>
        Disagreements(client, ring, expected.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)));

    /// <summary>As <see cref="ReplicaDisagreementsAsync"/>, where an expected null means the key holds no value.</summary>
    private static async Task<IReadOnlyList<string>> Disagreements(KvClient client, RingState ring, IEnumerable<KeyValuePair<string, string?>> expected)
    {
        var partitioner = new Partitioner(ring.PartitionCount);
        var reads = expected.SelectMany(kv => ring[partitioner.PartitionOf(System.Text.Encoding.UTF8.GetBytes(kv.Key))].InSync
            .Select(node => (kv.Key, kv.Value, Node: node.Value))).ToList();
        return await ForEach(reads, async r =>
        {
            try
            {
                var read = await client.ReadReplicaAsync(System.Text.Encoding.UTF8.GetBytes(r.Key), r.Node);
                var value = read.Value is null ? null : System.Text.Encoding.UTF8.GetString(read.Value);
                return value == r.Value ? null : $"{r.Key} on {r.Node} (as of seq {read.AsOfSeq}): expected {(r.Value is null ? "nothing" : $"'{r.Value}'")}, has {(value is null ? "nothing" : $"'{value}'")}";
            }
            catch (KvClientException e)
            {
                return $"{r.Key} on {r.Node}: the replica read failed ({e.Message})";
            }
        });
    }

    /// <summary>The value of every key of <paramref name="keys"/> as its primary reads it (a leased read; null = none).</summary>
    public static async Task<IReadOnlyDictionary<string, string?>> PrimaryValuesAsync(KvClient client, IEnumerable<string> keys)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        await ForEach(keys.Distinct(StringComparer.Ordinal), async key =>
        {
            var value = await client.GetAsync(key);
            lock (values) values[key] = value;
            return null;
        });
        return values;
    }

    /// <summary>
    /// Replica reads of every key of <paramref name="expected"/> from every in-sync replica of the client's current ring,
    /// again until none disagrees or <paramref name="deadline"/> passes (a replica learns the commit point with its
    /// primary's next message, a heartbeat at the latest); returns the disagreements of the last round (none = agreed).
    /// </summary>
    public static async Task<IReadOnlyList<string>> AwaitReplicasAgreeAsync(KvClient client, IReadOnlyDictionary<string, string?> expected, TimeSpan deadline)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await client.RefreshRingAsync();
            var disagreements = await Disagreements(client, client.Ring!, expected);
            if (disagreements.Count == 0 || clock.Elapsed > deadline) return disagreements;
            await Task.Delay(500); // the pace of the rounds, not a wait for anything
        }
    }

    private static async Task<IReadOnlyList<string>> ForEach<T>(IEnumerable<T> items, Func<T, Task<string?>> check)
    {
        var problems = new List<string>();
        using var gate = new SemaphoreSlim(Parallelism);
        var tasks = items.Select(async item =>
        {
            await gate.WaitAsync();
            try
            {
                if (await check(item) is { } problem)
                    lock (problems) problems.Add(problem);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks);
        return problems.Order(StringComparer.Ordinal).ToList();
    }
}
