namespace KvActors.Storage.Wal;

/// <summary>
/// The few file operations the log writer performs, behind an interface so tests can inject a full disk or an I/O
/// error at an exact byte. <see cref="OsLogFileSystem"/> is the real one.
/// </summary>
public interface ILogFileSystem
{
    /// <summary>
    /// Creates a new, empty file (fails if it exists) open for positional writes; <paramref name="capacity"/> is how long
    /// it is expected to grow (the segment size), which the file may reserve ahead.
    /// </summary>
    ILogFile Create(string path, long capacity);

    /// <summary>Makes a directory's entries (created, renamed, deleted files) durable.</summary>
    void FsyncDirectory(string path);
}

/// <summary>
/// An open log segment: positional writes, fsync, truncate. Disposing it leaves the file as long as what was written
/// (space reserved past that is given back).
/// </summary>
public interface ILogFile : IDisposable
{
    void Write(ReadOnlySpan<byte> data, long offset);
    void Flush();

    /// <summary>Drops what was written at or past <paramref name="length"/> (after a failed write).</summary>
    void SetLength(long length);
}
