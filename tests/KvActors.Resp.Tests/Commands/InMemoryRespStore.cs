using System.Collections.Concurrent;
using KvActors.Client;
using KvActors.Resp.Cluster;
using KvActors.Store.Replication;
using KvActors.Store.Shards;

namespace KvActors.Resp.Tests.Commands;

/// <summary>
/// A dictionary behind <see cref="IRespStore"/>, so the commands' own logic is tested without a cluster; it records replica
/// reads. Scans page through the keys of one partition (of <paramref name="partitions"/>) in the store's own scan order;
/// the key count is every key (as if this node led every partition). Atomic commands run through the store's own
/// <see cref="CommandEvaluator"/> with the machine's clock, and expired values are never returned, as at a primary.
/// </summary>
internal sealed class InMemoryRespStore(int partitions = 4) : IRespStore
{
    private readonly KvActors.Store.Partitioning.Partitioner _partitioner = new(partitions);

    /// <summary>Called before each scan page is read (tests change the keys between pages here).</summary>
    public Action<int>? BeforeScan;

    private readonly ConcurrentDictionary<string, StoredValue> _data = new();
    private readonly Lock _commands = new();

    public int ReplicaReads;

    private static string K(byte[] key) => Convert.ToBase64String(key);

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private StoredValue? Live(byte[] key) => _data.TryGetValue(K(key), out var v) && v.IsLiveAt(Now) ? v : null;

    public Task<byte[]?> GetAsync(byte[] key, bool replicaRead)
    {
        if (replicaRead) Interlocked.Increment(ref ReplicaReads);
        return Task.FromResult(Live(key)?.Value);
    }

    public Task<(byte[]? Value, long ExpiresAtMs)> GetWithExpiryAsync(byte[] key, bool replicaRead)
    {
        if (replicaRead) Interlocked.Increment(ref ReplicaReads);
        return Task.FromResult(Live(key) is { } v ? (v.Value, v.ExpiresAtMs) : ((byte[]?)null, 0L));
    }

    public Task<bool> SetAsync(byte[] key, byte[] value)
    {
        lock (_commands)
        {
            var existed = Live(key) is not null;
            _data[K(key)] = new StoredValue(value, 0);
            return Task.FromResult(existed);
        }
    }

    public Task<bool> DeleteAsync(byte[] key)
    {
        lock (_commands)
        {
            var existed = Live(key) is not null;
            _data.TryRemove(K(key), out _);
            return Task.FromResult(existed);
        }
    }

    public Task<CommandResult> ExecuteAsync(KvCommand command)
    {
        lock (_commands)
        {
            var (operation, result) = CommandEvaluator.Evaluate(command, Live(command.Key), Now, 1 << 20);
            if (operation.Kind == KvOperationKind.Put) _data[K(operation.Key)] = new StoredValue(operation.Value!, operation.ExpiresAtMs);
            else if (operation.Kind == KvOperationKind.Delete) _data.TryRemove(K(operation.Key), out _);
            return Task.FromResult(result);
        }
    }

    public Task<KeyCounts> CountKeysAsync()
    {
        var live = _data.Values.Where(v => v.IsLiveAt(Now)).ToList();
        return Task.FromResult(new KeyCounts(live.Count, live.Count(v => v.ExpiresAtMs != 0)));
    }

    public Task<KvScanPage> ScanAsync(int partition, ulong after, int count)
    {
        BeforeScan?.Invoke(partition);
        var keys = _data.Keys.Select(Convert.FromBase64String).Where(k => _partitioner.PartitionOf(k) == partition).ToList();
        var page = KeyScan.Page(keys, after, count, long.MaxValue);
        return Task.FromResult(new KvScanPage(page.Keys, page.Next));
    }
}
