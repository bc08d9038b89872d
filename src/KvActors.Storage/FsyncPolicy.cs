namespace KvActors.Storage;

/// <summary>When an append counts as durable, with Redis AOF's meanings.</summary>
public enum FsyncPolicy
{
    /// <summary>An append completes after its batch is written and fsynced: nothing acknowledged is lost on power failure.</summary>
    Always,
    /// <summary>An append completes after the write; a background fsync runs each second: up to ~1 s lost on power failure.</summary>
    EverySec,
    /// <summary>An append completes after the write; the OS flushes when it likes. Survives a process crash, not a power failure.</summary>
    Never,
}
