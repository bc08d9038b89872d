using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KvActors.Storage.Wal;

/// <summary>
/// A log segment written through a shared memory mapping (Linux): an append is a copy into the page cache, where a
/// positional write was a system call and a trip through the file system's write path for every record (measured: 15-20%
/// of a single node's CPU under pipelined SETs). Copied bytes are as safe as written ones: they are in the page cache
/// at once, outlive the process, and fsync writes them to disk the same way.
/// </summary>
/// <remarks>
/// The mapping makes the file as long as the segment at once, but sparse, and a page of it the disk has no room for
/// cannot be touched (the process would get SIGBUS). So space is reserved ahead of the writes, a step at a time, with
/// <c>fallocate</c>: a full disk fails that call (an ordinary write error) instead of a page fault. Past the last record
/// the file reads as zeros; <see cref="Dispose"/> cuts it back to its written length, and after a crash recovery
/// recognises the zeros (<see cref="Format.SegmentScanner"/>) and cuts them. A write the mapping cannot hold (a record
/// longer than the segment, which gets a segment to itself) is a plain positional write.
/// </remarks>
internal sealed unsafe class MappedLogFile : ILogFile
{
    /// <summary>How far ahead of the writes the file is reserved: one fallocate per this many bytes of log.</summary>
    internal const long GrowStep = 1 << 20;

    private readonly SafeFileHandle _handle;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long _capacity;
    private long _reserved; // space is reserved (allocated on disk) up to here
    private long _end;      // the written length: the file is cut back to it on dispose

    private MappedLogFile(SafeFileHandle handle, MemoryMappedFile map, MemoryMappedViewAccessor view, long capacity, long reserved)
    {
        _handle = handle;
        _map = map;
        _view = view;
        _capacity = capacity;
        _reserved = reserved;
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>
    /// Creates <paramref name="path"/> (it must not exist) mapped for <paramref name="capacity"/> bytes, or, where the
    /// platform or the file system cannot reserve space or map the file (not Linux; no fallocate, as on some network file
    /// systems), open for positional writes. A full disk throws, as a write would.
    /// </summary>
    public static ILogFile Create(string path, long capacity)
    {
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        try
        {
            if (OperatingSystem.IsLinux() && capacity is > 0 and <= int.MaxValue)
            {
                var first = Math.Min(capacity, GrowStep);
                if (Reserve(handle, 0, first, path, firstStep: true) && TryMap(handle, capacity, first) is { } mapped)
                    return mapped;
                RandomAccess.SetLength(handle, 0); // what reserving or mapping may have added
            }
            return new OsLogFileSystem.PositionalLogFile(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static MappedLogFile? TryMap(SafeFileHandle handle, long capacity, long reserved)
    {
        MemoryMappedFile? map = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(handle, null, capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            return new MappedLogFile(handle, map, map.CreateViewAccessor(0, capacity, MemoryMappedFileAccess.ReadWrite), capacity, reserved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            map?.Dispose();
            return null;
        }
    }

    public void Write(ReadOnlySpan<byte> data, long offset)
    {
        var end = offset + data.Length;
        if (end > _capacity)
            RandomAccess.Write(_handle, data, offset);
        else
        {
            if (end > _reserved) Grow(end);
            data.CopyTo(new Span<byte>(_base + offset, data.Length));
        }
        _end = Math.Max(_end, end);
    }

    private void Grow(long end)
    {
        var target = Math.Min(_capacity, Math.Max(end, _reserved + GrowStep));
        Reserve(_handle, _reserved, target - _reserved, null, firstStep: false);
        _reserved = target;
    }

    public void Flush() => RandomAccess.FlushToDisk(_handle);

    /// <summary>Forgets what was written at or past <paramref name="length"/>: zeros it, as reserved space reads.</summary>
    public void SetLength(long length)
    {
        if (length >= _end) return;
        var mappedEnd = Math.Min(_end, _capacity);
        if (length < mappedEnd) new Span<byte>(_base + length, (int)(mappedEnd - length)).Clear();
        if (_end > _capacity) // past the mapping the file was written with system calls: cut there, never below the mapping
            RandomAccess.SetLength(_handle, Math.Max(length, _capacity));
        _end = length;
    }

    /// <summary>Unmaps the file and cuts it to its written length (durably: a sealed segment has no reserved tail).</summary>
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        try
        {
            RandomAccess.SetLength(_handle, _end);
            RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException)
        {
            // The zeros stay; recovery cuts them.
        }
        finally
        {
            _handle.Dispose();
        }
    }

    /// <summary>
    /// Reserves (allocates, reading as zeros) [offset, offset + length) of the file. A full disk throws; so does any other
    /// failure, except of a segment's <paramref name="firstStep"/>, which returns false: the file system cannot, and the
    /// segment is written with system calls instead.
    /// </summary>
    private static bool Reserve(SafeFileHandle handle, long offset, long length, string? path, bool firstStep)
    {
        if (length <= 0) return true;
        var fd = (int)handle.DangerousGetHandle();
        while (true)
        {
            if (Fallocate(fd, 0, offset, length) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Eintr) continue;
            if (errno == Enospc) throw new IOException("No space left on device", Enospc);
            if (firstStep) return false;
            throw new IOException($"Reserving {length} bytes of log space{(path is null ? "" : $" in {path}")} failed ({Marshal.GetPInvokeErrorMessage(errno)}).", errno);
        }
    }

    private const int Eintr = 4;
    private const int Enospc = 28;

    [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static extern int Fallocate(int fd, int mode, long offset, long length);
}
