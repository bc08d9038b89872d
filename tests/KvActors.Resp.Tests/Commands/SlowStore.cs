using KvActors.Resp.Cluster;

namespace KvActors.Resp.Tests.Commands;

/// <summary>
/// An in-memory store whose reads of keys starting with "slow" complete only when released, and writes of keys starting
/// with "held" only when <see cref="ReleaseWrites"/> is called: replies must still come in command order.
/// </summary>
internal sealed class SlowStore(IRespStore inner) : IRespStore
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly TaskCompletionSource _releaseWrites = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    public void ReleaseWrites() => _releaseWrites.TrySetResult();

    /// <summary>How many writes of "held" keys wait for <see cref="ReleaseWrites"/>.</summary>
    public int HeldWrites => Volatile.Read(ref _heldWrites);

    private int _heldWrites;

    public async Task<byte[]?> GetAsync(byte[] key, bool replicaRead)
    {
        if (key.AsSpan().StartsWith("slow"u8)) await _release.Task.ConfigureAwait(false);
        return await inner.GetAsync(key, replicaRead).ConfigureAwait(false);
    }

    public async Task<bool> SetAsync(byte[] key, byte[] value)
    {
        if (key.AsSpan().StartsWith("held"u8))
        {
            Interlocked.Increment(ref _heldWrites);
            await _releaseWrites.Task.ConfigureAwait(false);
        }
        return await inner.SetAsync(key, value).ConfigureAwait(false);
    }

    public Task<bool> DeleteAsync(byte[] key) => inner.DeleteAsync(key);

    public Task<KeyCounts> CountKeysAsync() => inner.CountKeysAsync();

    public Task<KvActors.Client.KvScanPage> ScanAsync(int partition, ulong after, int count) => inner.ScanAsync(partition, after, count);

    public Task<(byte[]? Value, long ExpiresAtMs)> GetWithExpiryAsync(byte[] key, bool replicaRead) => inner.GetWithExpiryAsync(key, replicaRead);

    public Task<KvActors.Store.Replication.CommandResult> ExecuteAsync(KvActors.Store.Replication.KvCommand command) => inner.ExecuteAsync(command);
}
