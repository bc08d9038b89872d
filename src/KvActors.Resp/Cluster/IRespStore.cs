using KvActors.Client;
using KvActors.Store.Replication;

namespace KvActors.Resp.Cluster;

/// <summary>
/// The store operations the commands use (Put, Get, Delete, atomic commands, key counts and scans). Failures throw
/// <see cref="KvActors.Client.KvClientException"/> with one sentence.
/// </summary>
public interface IRespStore
{
    /// <summary>The value under <paramref name="key"/>, or null. <paramref name="replicaRead"/>: a replica of this node may answer, possibly stale.</summary>
    Task<byte[]?> GetAsync(byte[] key, bool replicaRead);

    /// <summary>Writes the value once committed; true when the key held a value before.</summary>
    Task<bool> SetAsync(byte[] key, byte[] value);

    /// <summary>
    /// As <see cref="GetAsync"/> (not a replica read) for a reply that is awaited at once: the task may complete on the
    /// thread of the partition actor that answered, so the code awaiting it must be short and must neither block nor
    /// send (the connection's writer moves to the thread pool before writing). Spares a thread-pool hop per command.
    /// </summary>
    ValueTask<byte[]?> GetForReplyAsync(byte[] key) => new(GetAsync(key, replicaRead: false));

    /// <summary>As <see cref="SetAsync"/>, completing as <see cref="GetForReplyAsync"/> may.</summary>
    ValueTask<bool> SetForReplyAsync(byte[] key, byte[] value) => new(SetAsync(key, value));

    /// <summary>Deletes once committed; true when the key held a value.</summary>
    Task<bool> DeleteAsync(byte[] key);

    /// <summary>The keys in the partitions this node is primary of, and how many of them expire (DBSIZE, INFO keyspace: per node, as in Redis Cluster).</summary>
    Task<KeyCounts> CountKeysAsync();

    /// <summary>A page of about <paramref name="count"/> committed keys of <paramref name="partition"/>, read at its primary, after position <paramref name="after"/> (0: the start).</summary>
    Task<KvScanPage> ScanAsync(int partition, ulong after, int count);

    /// <summary>The value with its expiry (Unix ms, 0 = none), or a null value.</summary>
    Task<(byte[]? Value, long ExpiresAtMs)> GetWithExpiryAsync(byte[] key, bool replicaRead);

    /// <summary>Runs a conditional or read-modify-write command at the key's primary; the answer it computed there.</summary>
    Task<CommandResult> ExecuteAsync(KvCommand command);
}
