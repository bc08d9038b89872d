namespace KvActors.Resp.Cluster;

/// <summary>
/// The store operations the commands use (the store has Put, Get and Delete today). Failures throw
/// <see cref="KvActors.Client.KvClientException"/> with one sentence.
/// </summary>
public interface IRespStore
{
    /// <summary>The value under <paramref name="key"/>, or null. <paramref name="replicaRead"/>: a replica of this node may answer, possibly stale.</summary>
    Task<byte[]?> GetAsync(byte[] key, bool replicaRead);

    /// <summary>Writes the value once committed; true when the key held a value before.</summary>
    Task<bool> SetAsync(byte[] key, byte[] value);

    /// <summary>Deletes once committed; true when the key held a value.</summary>
    Task<bool> DeleteAsync(byte[] key);

    /// <summary>The value with its expiry (Unix ms, 0 = none), or a null value. A store without expiry says none.</summary>
    async Task<(byte[]? Value, long ExpiresAtMs)> GetWithExpiryAsync(byte[] key, bool replicaRead) =>
        (await GetAsync(key, replicaRead).ConfigureAwait(false), 0);

    /// <summary>Runs a conditional or read-modify-write command at the key's primary; the answer it computed there.</summary>
    Task<KvActors.Store.Replication.CommandResult> ExecuteAsync(KvActors.Store.Replication.KvCommand command) =>
        throw new KvActors.Client.KvClientException("This store does not run atomic commands.");
}
