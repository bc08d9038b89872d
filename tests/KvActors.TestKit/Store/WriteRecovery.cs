using System.Diagnostics;
using KvActors.Client;

namespace KvActors.TestKit.Store;

/// <summary>
/// After a fault, when does each partition accept writes again? Writes to one key per partition, a new attempt for
/// each partition not yet recovered every <see cref="Interval"/> (so an attempt stuck on a dead node does not hide the
/// recovery), until every partition has had a write acknowledged or the deadline passes. Probes of one key race each
/// other (any may be applied last), so their values are not for reading back: <see cref="FreshKeyWriter"/> is.
/// </summary>
public sealed class WriteRecovery(KvClient client, IReadOnlyDictionary<int, string> keyPerPartition)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly Dictionary<int, TimeSpan> _recovered = new();
    private int _attempt;

    /// <summary>
    /// Probes from now until every partition recovered or <paramref name="deadline"/> passed; returns the time from
    /// <paramref name="since"/> (a Stopwatch timestamp, e.g. the fault) to each partition's first acknowledged write
    /// invoked after it; a partition missing from the answer did not recover in time.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, TimeSpan>> AwaitAsync(long since, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var attempts = new List<Task>();
        while (clock.Elapsed < deadline)
        {
            int[] pending;
            lock (_recovered) pending = keyPerPartition.Keys.Where(p => !_recovered.ContainsKey(p)).ToArray();
            if (pending.Length == 0) break;
            foreach (var partition in pending)
                attempts.Add(Attempt(partition, since));
            await Task.Delay(Interval);
        }
        await Task.WhenAll(attempts); // each ends by the client's own deadline
        lock (_recovered) return new Dictionary<int, TimeSpan>(_recovered);
    }

    private async Task Attempt(int partition, long since)
    {
        var key = keyPerPartition[partition];
        var value = $"probe-{Interlocked.Increment(ref _attempt)}";
        try
        {
            await client.PutAsync(key, value);
            var at = Stopwatch.GetElapsedTime(since);
            lock (_recovered) _recovered.TryAdd(partition, at);
        }
        catch (KvClientException)
        {
            // given up by the client: a later attempt for the partition tells when it is back
        }
    }
}
