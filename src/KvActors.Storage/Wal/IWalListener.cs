namespace KvActors.Storage.Wal;

/// <summary>What the writer tells the engine, on the writer's thread, so the engine's segment index stays current.</summary>
internal interface IWalListener
{
    void OnSegmentCreated(long segmentIndex, string path);

    /// <summary>The segment is complete and fsynced; no more records will go into it.</summary>
    void OnSegmentSealed(long segmentIndex, long length);

    /// <summary><paramref name="records"/> are now in segment <paramref name="segmentIndex"/>, the first at <paramref name="fileOffset"/>.</summary>
    void OnRecordsWritten(long segmentIndex, long fileOffset, ReadOnlySpan<BatchRecord> records);
}
