using System.Collections.Concurrent;
using KvActors.Resp.Cluster;

namespace KvActors.Resp.Tests.Commands;

/// <summary>A dictionary behind <see cref="IRespStore"/>, so the commands' own logic is tested without a cluster; it records replica reads.</summary>
internal sealed class InMemoryRespStore : IRespStore
{
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
}
