using System.Collections.Concurrent;
using KvActors.Client;
using KvActors.Resp.Cluster;
using KvActors.Store.Shards;

namespace KvActors.Resp.Tests.Commands;

/// <summary>
/// A dictionary behind <see cref="IRespStore"/>, so the commands' own logic is tested without a cluster; it records replica
/// reads. Scans page through the keys of one partition (of <paramref name="partitions"/>) in the store's own scan order;
/// the key count is every key (as if this node led every partition).
/// </summary>
internal sealed class InMemoryRespStore(int partitions = 4) : IRespStore
{
    private readonly KvActors.Store.Partitioning.Partitioner _partitioner = new(partitions);

    /// <summary>Called before each scan page is read (tests change the keys between pages here).</summary>
    public Action<int>? BeforeScan;

    private readonly ConcurrentDictionary<string, byte[]> _data = new();

    public int ReplicaReads;

    private static string K(byte[] key) => Convert.ToBase64String(key);

    public Task<byte[]?> GetAsync(byte[] key, bool replicaRead)
    {
        if (replicaRead) Interlocked.Increment(ref ReplicaReads);
        return Task.FromResult(_data.TryGetValue(K(key), out var v) ? v : null);
    }

    public Task<bool> SetAsync(byte[] key, byte[] value)
    {
        var existed = _data.ContainsKey(K(key));
        _data[K(key)] = value;
        return Task.FromResult(existed);
    }

    public Task<bool> DeleteAsync(byte[] key) => Task.FromResult(_data.TryRemove(K(key), out _));

    public Task<long> CountKeysAsync() => Task.FromResult((long)_data.Count);

    public Task<KvScanPage> ScanAsync(int partition, ulong after, int count)
    {
        BeforeScan?.Invoke(partition);
        var keys = _data.Keys.Select(Convert.FromBase64String).Where(k => _partitioner.PartitionOf(k) == partition).ToList();
        var page = KeyScan.Page(keys, after, count, long.MaxValue);
        return Task.FromResult(new KvScanPage(page.Keys, page.Next));
    }
}
