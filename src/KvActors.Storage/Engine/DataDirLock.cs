namespace KvActors.Storage.Engine;

/// <summary>
/// Keeps a second engine (another kvnode started with the same --data-dir, by mistake) from opening a data directory
/// in use: both would append to one log and corrupt it. An exclusive handle on <c>LOCK</c> in the directory (.NET takes
/// an advisory lock for FileShare.None on Unix); the kernel releases it when the process dies, so a crash leaves no
/// stale lock behind.
/// </summary>
internal static class DataDirLock
{
    public const string FileName = "LOCK";

    public static IDisposable Take(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageErrorKind.Unavailable,
                $"The data directory {Path.GetFullPath(dataDir)} is in use by another node (its {FileName} file is held): give each node its own --data-dir.", e)
            { File = path };
        }
    }
}
