using Microsoft.Win32.SafeHandles;

namespace KvActors.Storage.Wal;

/// <summary>The real file system: RandomAccess writes on a handle, fsync through FlushToDisk.</summary>
public sealed class OsLogFileSystem : ILogFileSystem
{
    public static OsLogFileSystem Instance { get; } = new();

    public ILogFile Create(string path) =>
        new OsLogFile(File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete));

    public void FsyncDirectory(string path) => DirectorySync.Fsync(path);

    private sealed class OsLogFile(SafeFileHandle handle) : ILogFile
    {
        public void Write(ReadOnlySpan<byte> data, long offset) => RandomAccess.Write(handle, data, offset);
        public void Flush() => RandomAccess.FlushToDisk(handle);
        public void SetLength(long length) => RandomAccess.SetLength(handle, length);
        public void Dispose() => handle.Dispose();
    }
}
