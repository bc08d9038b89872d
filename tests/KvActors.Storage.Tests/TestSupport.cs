using System.Collections.Concurrent;
using System.Text;
using KvActors.Storage.Wal;
using Microsoft.Extensions.Logging;

namespace KvActors.Storage.Tests;

/// <summary>A directory under the system temp dir, removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kvactors-test-" + Guid.NewGuid().ToString("N")));
    public string Path { get; }
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Keeps every log entry so tests can assert on warnings.</summary>
public sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));
    public IReadOnlyList<string> Warnings => Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
}

/// <summary>The real file system, but writes fail with "disk full" (or another error) once a byte budget is spent; it counts the writes.</summary>
public sealed class FaultyFileSystem : ILogFileSystem
{
    private long _budget = long.MaxValue;
    private long _writes;

    /// <summary>Write calls to the log's files so far (each one system call on the real file system).</summary>
    public long Writes => Interlocked.Read(ref _writes);
    public Func<IOException> Error { get; set; } = () => new IOException("No space left on device", 28);

    public void FailAfter(long bytes) => Interlocked.Exchange(ref _budget, bytes);
    public void Heal() => Interlocked.Exchange(ref _budget, long.MaxValue);

    public ILogFile Create(string path, long capacity) => new FaultyFile(this, OsLogFileSystem.Instance.Create(path, capacity));
    public void FsyncDirectory(string path) => OsLogFileSystem.Instance.FsyncDirectory(path);

    private sealed class FaultyFile(FaultyFileSystem owner, ILogFile inner) : ILogFile
    {
        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            Interlocked.Increment(ref owner._writes);
            var budget = Interlocked.Read(ref owner._budget);
            if (budget < data.Length)
            {
                // Like a real full disk: part of the data may land before the error.
                if (budget > 0) inner.Write(data[..(int)budget], offset);
                Interlocked.Exchange(ref owner._budget, 0);
                throw owner.Error();
            }
            Interlocked.Add(ref owner._budget, -data.Length);
            inner.Write(data, offset);
        }
        public void Flush() => inner.Flush();
        public void SetLength(long length) => inner.SetLength(length);
        public void Dispose() => inner.Dispose();
    }
}

public static class Bytes
{
    public static byte[] Of(string s) => Encoding.UTF8.GetBytes(s);
    public static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
