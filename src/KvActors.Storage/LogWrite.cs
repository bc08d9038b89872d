namespace KvActors.Storage;

/// <summary>What a <see cref="LogWrite"/> records.</summary>
public enum LogWriteKind
{
    /// <summary>An operation at its seq (<see cref="IStorageEngine.AppendAsync"/>).</summary>
    Append,

    /// <summary>Every record above the seq is void (<see cref="IStorageEngine.TruncateAfterAsync"/>).</summary>
    TruncateAfter,

    /// <summary>The replica's epoch and commit point (<see cref="IStorageEngine.RecordMarkAsync"/>).</summary>
    Mark,
}

/// <summary>One record of a partition's log, as <see cref="IStorageEngine.WriteAsync"/> takes several of them at once.</summary>
public readonly record struct LogWrite(LogWriteKind Kind, long Seq, StorageOperation Operation, ReplicaMark Mark)
{
    public static LogWrite Append(long seq, StorageOperation operation) => new(LogWriteKind.Append, seq, operation, default);

    public static LogWrite TruncateAfter(long seq) => new(LogWriteKind.TruncateAfter, seq, default, default);

    public static LogWrite RecordMark(ReplicaMark mark) => new(LogWriteKind.Mark, 0, default, mark);
}
