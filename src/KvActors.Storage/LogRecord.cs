namespace KvActors.Storage;

/// <summary>
/// A logged operation with its partition and sequence number, as recovery and replication catch-up read it back, with
/// the epoch, the caller's tag and the expiry it was appended with (see <see cref="StorageOperation"/>).
/// </summary>
public readonly record struct LogRecord(int Partition, long Seq, OperationKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, long Epoch = 0, ReadOnlyMemory<byte> Tag = default, long ExpiresAtMs = 0);
