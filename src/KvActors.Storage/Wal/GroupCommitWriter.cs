using KvActors.Storage.Format;
using Microsoft.Extensions.Logging;

namespace KvActors.Storage.Wal;

/// <summary>
/// The one writer of the log. Under <c>always</c> appenders encode their record into the batch being filled (under a
/// short lock) and get that batch's shared task; a dedicated thread takes the whole batch, writes it with one call,
/// fsyncs it once, then completes every append in it. While it writes, the next batch fills, so the more callers there
/// are, the more each fsync is shared (group commit). Under <c>everysec</c> and <c>never</c> an append only has to
/// reach the OS, which one small write does in microseconds: the appender writes its record itself under the lock and
/// gets a completed task, so no append waits for another thread to wake (a second thread fsyncs once a second under
/// <c>everysec</c>).
/// </summary>
internal sealed class GroupCommitWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly object _fileLock = new();
    private readonly string _walDirectory;
    private readonly FsyncPolicy _policy;
    private readonly long _segmentSize;
    private readonly ILogFileSystem _fs;
    private readonly IWalListener _listener;
    private readonly ILogger _logger;
    /// <summary>The group-commit thread; null when appenders write inline (every policy but <c>always</c>).</summary>
    private readonly Thread? _writerThread;
    private readonly Thread? _syncThread;
    private readonly ManualResetEventSlim _stopSync = new();

    private AppendBatch _filling = new();
    private AppendBatch? _spare = new();
    private bool _writerWaiting;
    private bool _stopping;
    private StorageException? _failure;

    private ILogFile _file = null!;
    private string _path = "";
    private long _segmentIndex;
    private long _segmentLength;
    private long _writtenPosition;
    private int _dirty;

    public GroupCommitWriter(string walDirectory, long firstSegmentIndex, FsyncPolicy policy, long segmentSize,
        ILogFileSystem fs, IWalListener listener, ILogger logger)
    {
        _walDirectory = walDirectory;
        _policy = policy;
        _segmentSize = segmentSize;
        _fs = fs;
        _listener = listener;
        _logger = logger;
        OpenSegment(firstSegmentIndex);
        if (policy == FsyncPolicy.Always)
        {
            _writerThread = new Thread(WriteLoop) { IsBackground = true, Name = "kvactors-wal-writer" };
            _writerThread.Start();
        }
        if (policy == FsyncPolicy.EverySec)
        {
            _syncThread = new Thread(SyncLoop) { IsBackground = true, Name = "kvactors-wal-fsync" };
            _syncThread.Start();
        }
    }

    /// <summary>Where the written log ends now; everything before it is readable.</summary>
    public long WrittenPosition => Volatile.Read(ref _writtenPosition);

    public long CurrentSegment => Volatile.Read(ref _segmentIndex);

    /// <summary>
    /// Logs one record (any kind: data and control records share the log and its order). The task completes when the
    /// record is as durable as the policy says (written; or written and fsynced under <c>always</c> or when
    /// <paramref name="forceSync"/>), or fails with a <see cref="StorageException"/>. Without the group-commit thread it
    /// is already complete on return, unless <paramref name="forceSync"/> asked for an fsync.
    /// </summary>
    public Task Append(int partition, long seq, OperationKind kind, long epoch, ReadOnlySpan<byte> key, ReadOnlySpan<byte> tag,
        ReadOnlySpan<byte> value, bool forceSync = false, long expiresAtMs = 0)
    {
        Task appended;
        lock (_gate)
        {
            if (Refusal() is { } refused) return refused;
            _filling.Add(partition, seq, kind, epoch, key, tag, value, expiresAtMs);
            _filling.ForceSync |= forceSync && _writerThread is not null;
            appended = Filled();
        }
        // Inline, an fsync the record asks for runs after the lock is released, so other appenders need not wait for it.
        return forceSync && _writerThread is null && appended.IsCompletedSuccessfully ? Task.Run(Sync) : appended;
    }

    /// <summary>
    /// Logs a partition's <paramref name="writes"/> in order, as one write when appenders write inline. The task is as
    /// <see cref="Append"/>'s.
    /// </summary>
    public Task AppendAll(int partition, IReadOnlyList<LogWrite> writes)
    {
        lock (_gate)
        {
            if (Refusal() is { } refused) return refused;
            for (var i = 0; i < writes.Count; i++)
                _filling.Add(partition, writes[i]);
            return Filled();
        }
    }

    /// <summary>Why nothing more can be logged (a failed writer, or shut down), as a failed task; else null. Under <see cref="_gate"/>.</summary>
    private Task? Refusal() =>
        _failure is not null ? Task.FromException(_failure)
        : _stopping ? Task.FromException(new StorageException(StorageErrorKind.Unavailable, "The storage engine is shut down, so the append was not logged."))
        : null;

    /// <summary>
    /// Under <see cref="_gate"/>, after records were added to the filling batch: with the group-commit thread, wakes it
    /// and returns the batch's shared task; otherwise writes the batch in the caller's thread (under the lock that orders
    /// every write) and empties it.
    /// </summary>
    private Task Filled()
    {
        var batch = _filling;
        if (_writerThread is not null)
        {
            if (_writerWaiting)
            {
                _writerWaiting = false;
                Monitor.Pulse(_gate);
            }
            return batch.Completion.Task;
        }
        try
        {
            WriteRecords(batch);
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            var failure = e as StorageException ?? IoErrors.ForWrite(e, _path);
            _logger.LogError(e, "Log append failed: {Message}", failure.Message);
            return Task.FromException(failure);
        }
        finally
        {
            batch.Clear();
        }
    }

    private void WriteLoop()
    {
        while (true)
        {
            AppendBatch batch;
            StorageException? failure;
            GatherStragglers();
            lock (_gate)
            {
                while (_filling.Count == 0)
                {
                    if (_stopping) return;
                    _writerWaiting = true;
                    Monitor.Wait(_gate);
                }
                batch = _filling;
                _filling = _spare!;
                _spare = null;
                failure = _failure;
            }

            if (failure is null)
            {
                try
                {
                    WriteBatch(batch);
                }
                catch (Exception e)
                {
                    failure = IoErrors.ForWrite(e, _path);
                    _logger.LogError(e, "Log append of {Count} records failed: {Message}", batch.Count, failure.Message);
                }
            }

            var completion = batch.Completion;
            batch.Reset();
            lock (_gate) _spare = batch;
            if (failure is null) completion.TrySetResult();
            else completion.TrySetException(failure);
        }
    }

    private int _lastSyncedBatchCount;

    /// <summary>
    /// Under fsync-per-batch, the appenders just completed are usually about to append again (their continuations
    /// are queued on the thread pool). Taking the batch the instant the first of them arrives would fsync it almost
    /// alone and make the rest wait a whole fsync more; so, while fewer than half of last batch's appenders are back,
    /// yield the CPU briefly (bounded, a few microseconds, never a sleep) to let them join this fsync.
    /// </summary>
    private void GatherStragglers()
    {
        var expected = _lastSyncedBatchCount / 2;
        if (expected < 2) return;
        var spinner = new SpinWait();
        for (var i = 0; i < 20; i++)
        {
            if (Volatile.Read(ref _filling).Count >= expected) return;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void WriteBatch(AppendBatch batch)
    {
        WriteRecords(batch);
        if (_policy == FsyncPolicy.Always || batch.ForceSync)
        {
            Sync();
            _lastSyncedBatchCount = batch.Count;
        }
        else _lastSyncedBatchCount = 0;
    }

    /// <summary>Writes the batch's records, rotating to a new segment where the current one is full.</summary>
    private void WriteRecords(AppendBatch batch)
    {
        var i = 0;
        while (i < batch.Count)
        {
            var first = batch.Records[i];
            if (_segmentLength > SegmentFormat.HeaderSize && _segmentLength + first.Length > _segmentSize) Rotate();

            // The longest run of records that still fits this segment (at least one: a record bigger than a
            // segment gets a segment to itself).
            var room = _segmentSize - _segmentLength;
            long bytes = 0;
            var j = i;
            do bytes += batch.Records[j++].Length;
            while (j < batch.Count && bytes + batch.Records[j].Length <= room);

            try
            {
                _file.Write(batch.Buffer.AsSpan(first.Offset, (int)bytes), _segmentLength);
            }
            catch
            {
                RestoreLengthAfterFailedWrite();
                throw;
            }
            _listener.OnRecordsWritten(_segmentIndex, _segmentLength, batch.Records.AsSpan(i, j - i));
            _segmentLength += bytes;
            Volatile.Write(ref _writtenPosition, LogPosition.Of(_segmentIndex, _segmentLength));
            Volatile.Write(ref _dirty, 1);
            i = j;
        }
    }

    /// <summary>
    /// A failed write may have left part of a frame behind; cut it off so the log stays a clean sequence of frames
    /// and later appends land right after the last good record. If even that fails, the log is not trustworthy.
    /// </summary>
    private void RestoreLengthAfterFailedWrite()
    {
        try
        {
            _file.SetLength(_segmentLength);
        }
        catch (Exception e)
        {
            Fail(new StorageException(StorageErrorKind.Unavailable,
                $"The log file {_path} could not be truncated after a failed write ({e.Message}); restart the node to recover it.", e));
        }
    }

    private void Sync()
    {
        try
        {
            lock (_fileLock) _file.Flush();
        }
        catch (Exception e)
        {
            // After a failed fsync the OS may have dropped the dirty pages: nothing written since the last good
            // fsync can be trusted, so the writer stops rather than acknowledge more (the "fsyncgate" lesson).
            var failure = new StorageException(StorageErrorKind.Unavailable,
                $"fsync of the log file {_path} failed ({e.Message}); the node must restart and recover from the log.", e);
            Fail(failure);
            throw failure;
        }
    }

    private void Fail(StorageException failure)
    {
        lock (_gate) _failure ??= failure;
    }

    private void Rotate()
    {
        var oldIndex = _segmentIndex;
        var oldLength = _segmentLength;
        // Sealed segments are always fully on disk, so damage anywhere but the last segment means corruption.
        Sync();
        var newFile = CreateSegment(oldIndex + 1, out var path);
        ILogFile oldFile;
        lock (_fileLock) (oldFile, _file) = (_file, newFile);
        // Before the written position names the new segment: readers take a sealed segment's length from its file,
        // which disposing cuts to what was written (a mapped file reserves space past it).
        oldFile.Dispose();
        UseSegment(oldIndex + 1, path);
        _listener.OnSegmentSealed(oldIndex, oldLength);
    }

    private void OpenSegment(long index)
    {
        var file = CreateSegment(index, out var path);
        lock (_fileLock) _file = file;
        UseSegment(index, path);
    }

    /// <summary>Creates segment <paramref name="index"/> with its header, durably (the file and its directory entry).</summary>
    private ILogFile CreateSegment(long index, out string path)
    {
        path = Path.Combine(_walDirectory, SegmentFormat.FileName(index));
        ILogFile? file = null;
        try
        {
            file = _fs.Create(path, _segmentSize);
            Span<byte> header = stackalloc byte[SegmentFormat.HeaderSize];
            SegmentFormat.WriteHeader(header, index);
            file.Write(header, 0);
            file.Flush();
            _fs.FsyncDirectory(_walDirectory);
            return file;
        }
        catch
        {
            file?.Dispose();
            try { File.Delete(path); } catch (IOException) { /* the error that matters is the one being thrown */ }
            throw;
        }
    }

    /// <summary>Appends go to segment <paramref name="index"/>, just created, from now on.</summary>
    private void UseSegment(long index, string path)
    {
        _path = path;
        _segmentLength = SegmentFormat.HeaderSize;
        Volatile.Write(ref _segmentIndex, index);
        Volatile.Write(ref _writtenPosition, LogPosition.Of(index, _segmentLength));
        _listener.OnSegmentCreated(index, path);
    }

    private void SyncLoop()
    {
        while (!_stopSync.Wait(TimeSpan.FromSeconds(1)))
        {
            if (Interlocked.Exchange(ref _dirty, 0) == 0) continue;
            try
            {
                lock (_fileLock) _file.Flush();
            }
            catch (Exception e)
            {
                Fail(new StorageException(StorageErrorKind.Unavailable,
                    $"The background fsync of the log file {_path} failed ({e.Message}); the node must restart and recover from the log.", e));
                _logger.LogError(e, "Background fsync of {Path} failed; the log refuses further appends", _path);
                return;
            }
        }
    }

    /// <summary>Writes what is queued, fsyncs, and closes the segment.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _writerThread?.Join();
        _stopSync.Set();
        _syncThread?.Join();
        lock (_fileLock)
        {
            try
            {
                if (_failure is null) _file.Flush();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Final fsync of {Path} failed", _path);
            }
            _file.Dispose();
        }
        _stopSync.Dispose();
    }
}
