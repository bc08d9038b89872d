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
}
