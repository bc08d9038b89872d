namespace KvActors.Storage.Wal;

/// <summary>Turns the exceptions file I/O throws into <see cref="StorageException"/>s with a clear sentence.</summary>
internal static class IoErrors
{
    private const int Enospc = 28;          // Linux/macOS errno
    private const int ErrorDiskFull = 112;  // Windows
    private const int ErrorHandleDiskFull = 39;

    public static bool IsDiskFull(IOException e)
    {
        var code = e.HResult & 0xFFFF;
        return code is Enospc or ErrorDiskFull or ErrorHandleDiskFull
            || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
    }

    public static StorageException ForWrite(Exception e, string path) => e switch
    {
        StorageException s => s,
        IOException io when IsDiskFull(io) =>
            new StorageException(StorageErrorKind.DiskFull, $"The disk holding {path} is full, so the append was not logged; free space and retry.", e),
        _ => new StorageException(StorageErrorKind.IoError, $"Writing the log file {path} failed ({e.Message}), so the append was not logged.", e),
    };
}
