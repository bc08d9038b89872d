namespace KvActors.Storage.Wal;

/// <summary>
/// The few file operations the log writer performs, behind an interface so tests can inject a full disk or an I/O
/// error at an exact byte. <see cref="OsLogFileSystem"/> is the real one.
/// </summary>
public interface ILogFileSystem
{
    /// <summary>Creates a new, empty file (fails if it exists) open for positional writes.</summary>
    ILogFile Create(string path);

    /// <summary>Makes a directory's entries (created, renamed, deleted files) durable.</summary>
    void FsyncDirectory(string path);
}

/// <summary>An open log segment: positional writes, fsync, truncate.</summary>
public interface ILogFile : IDisposable
{
    void Write(ReadOnlySpan<byte> data, long offset);
    void Flush();
    void SetLength(long length);
}
