namespace KvActors.Storage;

/// <summary>
/// One store operation on a partition, as the caller hands it to <see cref="IStorageEngine.AppendAsync"/>.
/// <paramref name="Epoch"/> is the epoch whose primary assigned the operation its seq (replication needs it to tell two
/// histories apart after a failover); <paramref name="Tag"/> is opaque bytes the caller keeps with the record (the store
/// keeps the client's request id there) and gets back from recovery and catch-up reads. <paramref name="ExpiresAtMs"/> is a
/// Put's absolute expiry (Unix ms, 0 = none), kept with the record; the engine never expires anything itself.
/// </summary>
public readonly record struct StorageOperation(OperationKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, long Epoch = 0, ReadOnlyMemory<byte> Tag = default, long ExpiresAtMs = 0)
{
    public static StorageOperation Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value) => new(OperationKind.Put, key, value);
    public static StorageOperation Delete(ReadOnlyMemory<byte> key) => new(OperationKind.Delete, key, ReadOnlyMemory<byte>.Empty);
}
