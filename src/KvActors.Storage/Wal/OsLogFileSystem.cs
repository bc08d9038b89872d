using Microsoft.Win32.SafeHandles;

namespace KvActors.Storage.Wal;

/// <summary>
/// The real file system. Segments are written through a memory mapping where the file system reserves space
/// (<see cref="MappedLogFile"/>; <see cref="Instance"/>), else, or when asked (<see cref="Positional"/>), with
/// positional writes on a handle; fsync through FlushToDisk either way.
/// </summary>
public sealed class OsLogFileSystem : ILogFileSystem
{
    private readonly bool _mapped;

    private OsLogFileSystem(bool mapped) => _mapped = mapped;

    /// <summary>Mapped segments where possible.</summary>
    public static OsLogFileSystem Instance { get; } = new(mapped: true);

    /// <summary>One system call per write (<c>kvactors.storage.mapped-segments = off</c>).</summary>
    public static OsLogFileSystem Positional { get; } = new(mapped: false);

    public ILogFile Create(string path, long capacity) =>
        _mapped
            ? MappedLogFile.Create(path, capacity)
            : new PositionalLogFile(File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete));

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
