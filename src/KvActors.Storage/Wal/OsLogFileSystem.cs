using Microsoft.Win32.SafeHandles;

namespace KvActors.Storage.Wal;

/// <summary>
/// The real file system. Segments are written through a memory mapping where the file system reserves space
/// (<see cref="MappedLogFile"/>), else with positional writes on a handle; fsync through FlushToDisk either way.
/// </summary>
public sealed class OsLogFileSystem : ILogFileSystem
{
    public static OsLogFileSystem Instance { get; } = new();

    public ILogFile Create(string path, long capacity) => MappedLogFile.Create(path, capacity);

    public void FsyncDirectory(string path) => DirectorySync.Fsync(path);

    /// <summary>A segment written with one system call per write.</summary>
    internal sealed class PositionalLogFile(SafeFileHandle handle) : ILogFile
    {
        public void Write(ReadOnlySpan<byte> data, long offset) => RandomAccess.Write(handle, data, offset);
        public void Flush() => RandomAccess.FlushToDisk(handle);
        public void SetLength(long length) => RandomAccess.SetLength(handle, length);
        public void Dispose() => handle.Dispose();
    }
}
