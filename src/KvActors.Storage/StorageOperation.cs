namespace KvActors.Storage;

/// <summary>One store operation on a partition, as the caller hands it to <see cref="IStorageEngine.AppendAsync"/>.</summary>
public readonly record struct StorageOperation(OperationKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value)
{
    public static StorageOperation Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value) => new(OperationKind.Put, key, value);
    public static StorageOperation Delete(ReadOnlyMemory<byte> key) => new(OperationKind.Delete, key, ReadOnlyMemory<byte>.Empty);
}
