namespace KvActors.Storage;

/// <summary>Why a storage operation failed; callers branch on this rather than on message text.</summary>
public enum StorageErrorKind
{
    KeyTooLarge,
    ValueTooLarge,
    /// <summary>A record or snapshot failed its checksum somewhere other than a torn tail.</summary>
    Corrupt,
    DiskFull,
    IoError,
    /// <summary>The engine was disposed, or an earlier fsync failure made the log untrustworthy.</summary>
    Unavailable,
    /// <summary>A log segment or snapshot was written in another version of the on-disk format; repair cannot help.</summary>
    UnsupportedFormat,
}

/// <summary>A storage failure with a one-sentence message that says what happened and what to do.</summary>
public sealed class StorageException : Exception
{
    public StorageException(StorageErrorKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    public StorageErrorKind Kind { get; }

    /// <summary>For <see cref="StorageErrorKind.Corrupt"/>: the damaged file and byte offset, when known.</summary>
    public string? File { get; init; }
    public long? Offset { get; init; }
    public int? Partition { get; init; }
}
