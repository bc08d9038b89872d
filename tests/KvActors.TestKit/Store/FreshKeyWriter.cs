using System.Diagnostics;
using KvActors.Client;

namespace KvActors.TestKit.Store;

/// <summary>
/// Writes a new key ("<c>prefix-N</c>", value "<c>vN-prefix</c>") through one <see cref="KvClient"/>, one after another,
/// until stopped: what the store acknowledged must be readable afterwards. Keeps every acknowledged write (with the
/// Stopwatch time of its acknowledgement) and every failure (a write that failed may or may not have been applied).
/// </summary>
public sealed class FreshKeyWriter(KvClient client, string prefix)
{
    private readonly object _gate = new();
    private readonly List<(string Key, string Value, long AckedAt)> _acknowledged = [];
    private readonly List<string> _failures = [];
    private readonly TaskCompletionSource _firstAcknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Prefix => prefix;

    /// <summary>Key -> value of every write the store acknowledged.</summary>
    public IReadOnlyDictionary<string, string> Acknowledged
    {
        get { lock (_gate) return _acknowledged.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal); }
    }

    /// <summary>One sentence per write that failed (the client gave up on it).</summary>
    public IReadOnlyList<string> Failures
    {
        get { lock (_gate) return [.. _failures]; }
    }

    /// <summary>Acknowledged writes whose acknowledgement came after the Stopwatch timestamp <paramref name="since"/>.</summary>
    public int AcknowledgedSince(long since)
    {
        lock (_gate) return _acknowledged.Count(a => a.AckedAt > since);
    }

    /// <summary>Completes when the store has acknowledged this writer's first write.</summary>
    public Task FirstAcknowledged => _firstAcknowledged.Task;

    /// <summary>A random acknowledged write, or null before the first.</summary>
    public (string Key, string Value)? PickAcknowledged(Random random)
    {
        lock (_gate)
        {
            if (_acknowledged.Count == 0) return null;
            var (key, value, _) = _acknowledged[random.Next(_acknowledged.Count)];
            return (key, value);
        }
    }

    /// <summary>
    /// Waits until every writer has had <paramref name="count"/> writes acknowledged after the Stopwatch timestamp
    /// <paramref name="since"/>; fails naming each writer's count and last failures, <paramref name="when"/> saying when.
    /// </summary>
    public static Task AwaitProgressAsync(IReadOnlyList<FreshKeyWriter> writers, long since, int count, TimeSpan deadline, string when) =>
        Awaiting.AwaitConditionAsync(() => writers.All(w => w.AcknowledgedSince(since) >= count), deadline,
            () => $"Every writer should have had {count} writes acknowledged {when}: {string.Join("; ", writers.Select(w => $"{w.Prefix} {w.AcknowledgedSince(since)} (failures: {string.Join(" | ", w.Failures.TakeLast(2))})"))}.",
            TimeSpan.FromMilliseconds(50));

    public Task RunAsync(CancellationToken stop) => Task.Run(async () =>
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = $"{prefix}-{n}";
            var value = $"v{n}-{prefix}";
            try
            {
                await client.PutAsync(key, value);
                lock (_gate) _acknowledged.Add((key, value, Stopwatch.GetTimestamp()));
                _firstAcknowledged.TrySetResult();
            }
            catch (KvClientException e)
            {
                lock (_gate) _failures.Add($"{key}: {e.Message}");
            }
        }
    });
}
