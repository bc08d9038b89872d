namespace KvActors.Store.Replication;

/// <summary>
/// A partition's committed state through <see cref="Seq"/> (whose entry was assigned in <see cref="Epoch"/>): every key
/// with its value, the expiry of each key that has one, and the answers kept for duplicate requests. Immutable once made.
/// </summary>
public sealed record ReplicaSnapshot(
    long Seq,
    long Epoch,
    IReadOnlyList<KeyValuePair<byte[], byte[]>> Data,
    IReadOnlyList<CompletedRequest> Requests,
    IReadOnlyDictionary<byte[], long>? Expiries = null)
{
    /// <summary>The expiry (Unix ms) of <paramref name="key"/>, 0 when it has none.</summary>
    public long ExpiryOf(byte[] key) => Expiries is not null && Expiries.TryGetValue(key, out var at) ? at : 0;
}
