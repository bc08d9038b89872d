using KvActors.Hocon;

namespace KvActors.Persistence;

/// <summary>The <c>kvactors.persistence</c> section; defaults equal hocon/reference.conf.</summary>
public sealed record PersistenceSettings
{
    public const string Section = "kvactors.persistence";

    /// <summary>The node's data directory; the log lives in data-dir/wal and snapshots in data-dir/snapshots.</summary>
    public string DataDir { get; init; } = "data";
    public FsyncPolicy Fsync { get; init; } = FsyncPolicy.EverySec;
    public long SegmentSize { get; init; } = 64L << 20;
    public int MaxKeySize { get; init; } = 64 << 10;
    public int MaxValueSize { get; init; } = 512 << 20;
    /// <summary>When on, recovery truncates the log at the first damaged record instead of refusing the partitions.</summary>
    public bool Repair { get; init; }

    public string WalDirectory => Path.Combine(DataDir, "wal");
    public string SnapshotDirectory => Path.Combine(DataDir, "snapshots");

    public static PersistenceSettings FromConfig(Config config)
    {
        var d = new PersistenceSettings();
        var fsync = config.GetString($"{Section}.fsync", "everysec");
        return new PersistenceSettings
        {
            DataDir = config.GetString($"{Section}.data-dir", d.DataDir),
            Fsync = ParseFsync(fsync),
            SegmentSize = config.GetBytes($"{Section}.segment-size", d.SegmentSize),
            MaxKeySize = checked((int)config.GetBytes($"{Section}.max-key-size", d.MaxKeySize)),
            MaxValueSize = checked((int)config.GetBytes($"{Section}.max-value-size", d.MaxValueSize)),
            Repair = config.GetBool($"{Section}.repair", d.Repair),
        }.Validated();
    }

    public static FsyncPolicy ParseFsync(string text) => text.Trim().ToLowerInvariant() switch
    {
        "always" => FsyncPolicy.Always,
        "everysec" => FsyncPolicy.EverySec,
        "never" => FsyncPolicy.Never,
        _ => throw new ArgumentException($"{Section}.fsync must be always, everysec or never, not '{text}'."),
    };

    /// <summary>Throws a one-sentence error for settings the engine cannot work with.</summary>
    public PersistenceSettings Validated()
    {
        if (string.IsNullOrWhiteSpace(DataDir)) throw new ArgumentException($"{Section}.data-dir must not be empty.");
        if (SegmentSize < 4096) throw new ArgumentException($"{Section}.segment-size must be at least 4 KiB, not {SegmentSize} bytes.");
        if (MaxKeySize <= 0) throw new ArgumentException($"{Section}.max-key-size must be positive.");
        if (MaxValueSize < 0 || MaxValueSize > 1 << 30) throw new ArgumentException($"{Section}.max-value-size must be between 0 and 1 GiB.");
        return this;
    }
}
