namespace KvActors.Store.Replication;

/// <summary>
/// A partition's committed state through <see cref="Seq"/> (whose entry was assigned in <see cref="Epoch"/>): every key
/// with its value, and the answers kept for duplicate requests. Immutable once made.
/// </summary>
public sealed record ReplicaSnapshot(
    long Seq,
    long Epoch,
    IReadOnlyList<KeyValuePair<byte[], byte[]>> Data,
    IReadOnlyList<CompletedRequest> Requests);
