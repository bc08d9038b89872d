namespace KvActors.Storage;

/// <summary>
/// The storage engine's options: the <c>kvactors.storage</c> section plus <c>kvactors.node.data-dir</c>. A plain
/// immutable record; the Store layer binds it from the node's configuration. Defaults equal hocon/reference.conf.
/// </summary>
public sealed record StorageSettings
{
    /// <summary>The configuration section these settings come from (named in error messages).</summary>
    public const string Section = "kvactors.storage";

    /// <summary>The key of <see cref="DataDir"/>: the data directory belongs to the node, not to this section.</summary>
    public const string DataDirKey = "kvactors.node.data-dir";

    /// <summary>The node's data directory; the log lives in data-dir/wal and snapshots in data-dir/snapshots.</summary>
    public string DataDir { get; init; } = "data";
    public FsyncPolicy Fsync { get; init; } = FsyncPolicy.EverySec;
    public long SegmentSize { get; init; } = 64L << 20;
    public int MaxKeySize { get; init; } = 64 << 10;
    public int MaxValueSize { get; init; } = 1 << 20;
    /// <summary>When on, recovery truncates the log at the first damaged record instead of refusing the partitions.</summary>
    public bool Repair { get; init; }

    /// <summary>
    /// When on, log segments are written through a memory mapping where the platform and file system allow
    /// (<see cref="Wal.MappedLogFile"/>); when off, with one positional write per append.
    /// </summary>
    public bool MappedSegments { get; init; } = true;

    /// <summary>
    /// Catch-up reads start in a segment at the last of every this many records of the partition (tracked in memory) at
    /// or below the seq they need, not at the segment's start. Not a configuration key: tests lower it to exercise it.
    /// </summary>
    internal int CatchUpIndexInterval { get; init; } = 32;

    /// <summary>Catch-up reads read a segment this many bytes at a time, stopping once they have enough records (tests lower it).</summary>
    internal int CatchUpReadChunk { get; init; } = 1 << 20;

    public string WalDirectory => Path.Combine(DataDir, "wal");
    public string SnapshotDirectory => Path.Combine(DataDir, "snapshots");

    /// <summary>Parses a <c>kvactors.storage.fsync</c> value: always, everysec or never (any case).</summary>
    public static FsyncPolicy ParseFsync(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "always" => FsyncPolicy.Always,
        "everysec" => FsyncPolicy.EverySec,
        "never" => FsyncPolicy.Never,
        _ => throw new ArgumentException($"{Section}.fsync must be always, everysec or never, not '{text}'."),
    };

    /// <summary>Returns these settings, or throws a one-sentence <see cref="ArgumentException"/> naming the key at fault.</summary>
    public StorageSettings Validated()
    {
        if (string.IsNullOrWhiteSpace(DataDir)) throw new ArgumentException($"{DataDirKey} must not be empty.");
        if (!Enum.IsDefined(Fsync)) throw new ArgumentException($"{Section}.fsync must be always, everysec or never, not {(int)Fsync}.");
        if (SegmentSize < 4096) throw new ArgumentException($"{Section}.segment-size must be at least 4 KiB, not {SegmentSize} bytes.");
        if (MaxKeySize <= 0) throw new ArgumentException($"{Section}.max-key-size must be positive, not {MaxKeySize} bytes.");
        if (MaxValueSize < 0 || MaxValueSize > 1 << 30)
            throw new ArgumentException($"{Section}.max-value-size must be between 0 and 1 GiB, not {MaxValueSize} bytes.");
        return this;
    }
}
