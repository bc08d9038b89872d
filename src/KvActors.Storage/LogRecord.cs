namespace KvActors.Storage;

/// <summary>A logged operation with its partition and sequence number, as replication catch-up reads it back.</summary>
public readonly record struct LogRecord(int Partition, long Seq, OperationKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value);
