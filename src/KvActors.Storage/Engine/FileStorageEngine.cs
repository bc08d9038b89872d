using System.Collections.Concurrent;
using KvActors.Storage.Format;
using KvActors.Storage.Recovery;
using KvActors.Storage.Snapshots;
using KvActors.Storage.Wal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KvActors.Storage.Engine;

/// <summary>
/// The durable engine: one write-ahead log per node (segments under data-dir/wal, group-committed by
/// <see cref="GroupCommitWriter"/>) and one snapshot per partition (data-dir/snapshots). Opening it recovers
/// every partition; see docs/storage.md for the format and rules.
/// </summary>
public sealed partial class FileStorageEngine : IStorageEngine, IWalListener, IDisposable
{
    private readonly StorageSettings _settings;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly SortedDictionary<long, SegmentEntry> _segments = new();
    private readonly Dictionary<int, PartitionInfo> _partitions = new();
    private readonly Dictionary<int, StorageException> _errors = new();
    private readonly ConcurrentDictionary<int, PartitionReplay> _held = new();
    private readonly SemaphoreSlim _snapshotGate = new(1, 1);

    /// <summary>
    /// At most this many catch-up reads at once: each scans up to tens of MiB of the log (a chunk in memory at a time),
    /// and a node back from a crash has hundreds of partitions asking together; more at once only compete for the cores.
    /// </summary>
    private readonly SemaphoreSlim _catchUpGate = new(Math.Max(1, Environment.ProcessorCount / 2));
    private readonly object _compactionGate = new();
    private (long Position, StorageException Error)[] _unattributedDamage = [];
    private GroupCommitWriter _writer = null!;
    private IDisposable? _dataDirLock;
    private int _disposed;

    private FileStorageEngine(StorageSettings settings, ILogger logger)
    {
        _settings = settings.Validated();
        _logger = logger;
        _replays = new SharedRuns<int, ReplayOutcome>(ReplayFromDisk);
        _compactions = new SharedRuns<bool, bool>(_ =>
        {
            Compact();
            return CompactionDone;
        });
    }

    /// <summary>Records read back from the log when the engine opened.</summary>
    public long RecordsRecovered { get; private set; }

    /// <summary>Opens (creating if needed) the data directory and recovers it. Blocking; see <see cref="OpenAsync"/>.</summary>
    public static FileStorageEngine Open(StorageSettings settings, ILogger? logger = null, ILogFileSystem? fileSystem = null)
    {
        var engine = new FileStorageEngine(settings, logger ?? NullLogger.Instance);
        Directory.CreateDirectory(settings.WalDirectory);
        Directory.CreateDirectory(settings.SnapshotDirectory);
        engine._dataDirLock = DataDirLock.Take(settings.DataDir);
        try
        {
            engine.Recover(fileSystem);
        }
        catch
        {
            engine._dataDirLock.Dispose();
            throw;
        }
        return engine;
    }

    private void Recover(ILogFileSystem? fileSystem)
    {
        var settings = _settings;
        var engine = this;
        engine.RefuseOtherFormats();
        var snapshots = new Dictionary<int, SnapshotHeader>();
        engine.RecoverSnapshots(snapshots);
        var nextSegment = engine.RecoverLog(snapshots);
        engine._writer = new GroupCommitWriter(settings.WalDirectory, nextSegment, settings.Fsync, settings.SegmentSize,
            fileSystem ?? (settings.MappedSegments ? OsLogFileSystem.Instance : OsLogFileSystem.Positional), engine, engine._logger);
        engine.Compact();
    }

    public static Task<FileStorageEngine> OpenAsync(StorageSettings settings, ILogger? logger = null, ILogFileSystem? fileSystem = null) =>
        Task.Run(() => Open(settings, logger, fileSystem));

    public StorageSettings Settings => _settings;

    /// <summary>Segment indexes currently on disk, oldest first (for tests and diagnostics).</summary>
    public IReadOnlyList<long> SegmentIndexes
    {
        get { lock (_lock) return _segments.Keys.ToArray(); }
    }

    public IReadOnlyCollection<int> ListPartitions()
    {
        lock (_lock)
        {
            return _partitions.Where(p => p.Value.HasData || _errors.ContainsKey(p.Key)).Select(p => p.Key).Order().ToArray();
        }
    }

    public ValueTask AppendAsync(int partition, long seq, StorageOperation operation) =>
        WriteAsync(partition, [LogWrite.Append(seq, operation)]);

    public ValueTask TruncateAfterAsync(int partition, long seq) => WriteAsync(partition, [LogWrite.TruncateAfter(seq)]);

    public ValueTask RecordMarkAsync(int partition, ReplicaMark mark) => WriteAsync(partition, [LogWrite.RecordMark(mark)]);

    public ValueTask WriteAsync(int partition, IReadOnlyList<LogWrite> writes)
    {
        for (var i = 0; i < writes.Count; i++) // not foreach: through the interface, that allocates an enumerator per call
        {
            var write = writes[i];
            switch (write.Kind)
            {
                case LogWriteKind.Append:
                    if (OperationLimits.Check(write.Operation, _settings.MaxKeySize, _settings.MaxValueSize) is { } error) return ValueTask.FromException(error);
                    break;
                case LogWriteKind.TruncateAfter:
                    ArgumentOutOfRangeException.ThrowIfNegative(write.Seq, nameof(writes));
                    break;
                default:
                    ArgumentOutOfRangeException.ThrowIfNegative(write.Mark.Epoch, nameof(writes));
                    ArgumentOutOfRangeException.ThrowIfNegative(write.Mark.CommitPoint, nameof(writes));
                    break;
            }
        }
        ForgetRecovered(partition);
        return new ValueTask(_writer.AppendAll(partition, writes));
    }

    /// <summary>State recovered at open but not yet loaded would now be stale; LoadPartition falls back to reading the disk.</summary>
    private void ForgetRecovered(int partition)
    {
        if (!_held.IsEmpty) _held.TryRemove(partition, out _);
    }

    private void ThrowIfCorrupt(int partition)
    {
        lock (_lock)
        {
            if (_errors.TryGetValue(partition, out var error)) throw error;
            var droppedAt = _partitions.TryGetValue(partition, out var info) ? info.LastDropPosition : -1;
            if (LogReplayer.UnattributedErrorFor(partition, droppedAt, _unattributedDamage) is { } shared) throw shared;
        }
    }

    /// <summary>The replayed records and mark with the snapshot's tag and entries read in.</summary>
    private PartitionState Materialize(int partition, PartitionReplay replay)
    {
        if (!replay.UseSnapshot || replay.Snapshot is not { } header)
            return new PartitionState(partition, 0, 0, ReadOnlyMemory<byte>.Empty, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance),
                replay.Records, replay.Mark);

        var path = Path.Combine(_settings.SnapshotDirectory, SnapshotFormat.FileName(partition, header.Seq));
        SnapshotContents contents;
        try
        {
            contents = SnapshotReader.ReadContents(path, header);
        }
        catch (StorageException) when (_settings.Repair)
        {
            _logger.LogWarning("Repair: snapshot {Path} is corrupt; deleting it and loading partition {Partition} from the log alone, which may miss keys", path, partition);
            File.Delete(path);
            lock (_lock)
            {
                var info = Info(partition);
                info.Snapshot = null;
                info.SnapshotPath = null;
            }
            return Materialize(partition, ReplayFromDisk(partition));
        }
        catch (StorageException e)
        {
            lock (_lock) _errors[partition] = e;
            throw;
        }
        return new PartitionState(partition, header.Seq, header.Epoch, contents.Tag, contents.Entries, replay.Records, replay.Mark, contents.Expiries);
    }

    /// <summary>Reads a segment up to what has been written; -1 if compaction deleted it meanwhile.</summary>
    private static int ReadSegment(SegmentEntry segment, long writtenPosition, ref byte[] buffer)
    {
        try
        {
            return SegmentFiles.Read(segment.Path, ref buffer, WrittenEnd(segment, writtenPosition));
        }
        catch (FileNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>How far <paramref name="segment"/> is written (an offset in it): the writer's position in the active one, else its length.</summary>
    private static long WrittenEnd(SegmentEntry segment, long writtenPosition) =>
        LogPosition.Segment(writtenPosition) == segment.Index ? LogPosition.Offset(writtenPosition) : new FileInfo(segment.Path).Length;

    public async ValueTask<CatchUpResult> ReadSinceAsync(int partition, long afterSeq, int maxRecords = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRecords);
        await _catchUpGate.WaitAsync(cancellationToken);
        try
        {
            return await ReadSince(partition, afterSeq, maxRecords, cancellationToken);
        }
        finally
        {
            _catchUpGate.Release();
        }
    }

    private async Task<CatchUpResult> ReadSince(int partition, long afterSeq, int maxRecords, CancellationToken cancellationToken)
    {
        // Everything before this position is written and indexed (the writer indexes a batch before publishing its end).
        var written = _writer.WrittenPosition;
        List<(SegmentEntry Segment, long From)> segments;
        long lastDrop;
        LaterTruncations truncations;
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var info)) return CatchUpResult.Of(Array.Empty<LogRecord>());
            // Records at or below the snapshot's seq may be gone, or be another history the snapshot replaced.
            if (afterSeq < info.CatchUpFloor) return CatchUpResult.CompactedAnswer;
            lastDrop = info.LastDropPosition;
            truncations = new LaterTruncations(info.Truncations.Where(t => t.Position < written).ToList());
            segments = _segments.Values
                .Where(s => LogPosition.StartOf(s.Index) < written && s.Spans.TryGetValue(partition, out var span)
                    && span.HasData && span.MaxSeq > afterSeq && span.LastPosition > lastDrop)
                .Select(s => (s, s.ReadStart(partition, afterSeq + 1) is var start and >= 0 ? LogPosition.Offset(start) : 0L))
                .ToList();
        }
        return await Task.Run(() =>
        {
            var records = new List<LogRecord>();
            var buffer = Array.Empty<byte>();
            foreach (var (segment, start) in segments)
            {
                if (!ReadRecordsOf(segment, start, written, ref buffer, records)) return CatchUpResult.CompactedAnswer;
                if (records.Count >= maxRecords) break;
            }
            return CatchUpResult.Of(records);
        }, cancellationToken);

        // Reads the segment from the partition's last indexed record at or below the seq wanted (a returning replica's
        // entries lie near the end of a segment of up to 64 MiB), a chunk at a time, until enough records are found; false
        // when the segment is gone (compacted meanwhile).
        bool ReadRecordsOf(SegmentEntry segment, long start, long writtenPosition, ref byte[] buffer, List<LogRecord> records)
        {
            long end;
            try
            {
                end = WrittenEnd(segment, writtenPosition);
            }
            catch (FileNotFoundException)
            {
                return false;
            }
            var chunk = _settings.CatchUpReadChunk;
            for (var from = start; from < end && records.Count < maxRecords;)
            {
                var wanted = (int)Math.Min(chunk, end - from);
                int length;
                try
                {
                    length = SegmentFiles.Read(segment.Path, ref buffer, from + wanted, from);
                }
                catch (FileNotFoundException)
                {
                    return false;
                }
                if (length < wanted) return false; // cut short: the segment was deleted and replaced meanwhile
                var last = from + length >= end;
                var index = segment.Index;
                // A chunk may end inside a frame: scanned as a torn tail, that frame is read again with the next chunk.
                var result = SegmentScanner.Scan(buffer.AsSpan(0, length), index, isLastSegment: !last,
                    (in RecordFrame f, ReadOnlySpan<byte> bytes, long offset) =>
                    {
                        if (f.Partition != partition || f.Seq <= afterSeq || f.Kind is not (OperationKind.Put or OperationKind.Delete or OperationKind.Noop)
                            || records.Count >= maxRecords) return;
                        var position = LogPosition.Of(index, offset);
                        if (position < lastDrop || truncations.Voids(position, f.Seq)) return;
                        var payload = bytes[f.KeyOffset..f.FrameLength].ToArray().AsMemory();
                        records.Add(new LogRecord(partition, f.Seq, f.Kind, payload[..f.KeyLength], payload[(f.KeyLength + f.TagLength)..],
                            f.Epoch, payload.Slice(f.KeyLength, f.TagLength), f.ExpiresAtMs));
                    }, dataOffset: from);
                if (result.Damage.Any(d => d.Partition is null || d.Partition == partition))
                    throw new StorageException(StorageErrorKind.Corrupt, $"Partition {partition} cannot be read for catch-up: the log is damaged in {segment.Path}.")
                    { File = segment.Path, Partition = partition };
                if (last) break;
                if (result.TornTailOffset is { } torn)
                {
                    if (torn == from) chunk = (int)Math.Min((long)chunk * 2, Array.MaxLength); // a frame larger than the chunk
                    from = torn;
                }
                else
                    from += length;
            }
            return true;
        }
    }

    public async ValueTask SaveSnapshotAsync(int partition, long seq, IReadOnlyCollection<KeyValuePair<byte[], byte[]>> state,
        long epoch = 0, ReadOnlyMemory<byte> tag = default, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<byte[], long>? expiries = null, long keepLogAfter = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        var tagBytes = tag.ToArray();
        await _snapshotGate.WaitAsync(cancellationToken);
        try
        {
            // Where the log ends now: any Drop of this partition that completed is before it, so it cannot void this
            // snapshot; every Mark before it is in the partition's mark, read after it, so the snapshot carries it.
            var position = _writer.WrittenPosition;
            ReplicaMark mark;
            lock (_lock) mark = Info(partition).Mark;
            var header = new SnapshotHeader(partition, seq, epoch, position, mark, state.Count, tagBytes.Length);
            var path = await Task.Run(() => SnapshotWriter.Write(_settings.SnapshotDirectory, header, tagBytes, state, expiries), cancellationToken);
            string? previous;
            lock (_lock)
            {
                var info = Info(partition);
                previous = info.SnapshotPath;
                info.Snapshot = header;
                info.SnapshotPath = path;
                info.KeptLogAfter = keepLogAfter >= 0 && keepLogAfter < seq ? keepLogAfter : null;
            }
            _held.TryRemove(partition, out _);
            if (previous is not null && previous != path) File.Delete(previous);
        }
        finally
        {
            _snapshotGate.Release();
        }
        await _compactions.Request(true).WaitAsync(cancellationToken);
    }

    public async ValueTask DropPartitionAsync(int partition, CancellationToken cancellationToken = default)
    {
        // Durable first: if the node crashes after deleting the snapshot, the Drop record still voids the old records.
        await _writer.Append(partition, 0, OperationKind.Drop, 0, default, default, default, forceSync: true);
        await _snapshotGate.WaitAsync(cancellationToken);
        try
        {
            lock (_lock)
            {
                var info = Info(partition);
                info.Snapshot = null;
                info.SnapshotPath = null;
                info.KeptLogAfter = null;
                _errors.Remove(partition);
            }
            _held.TryRemove(partition, out _);
            var prefix = partition.ToString("D10", System.Globalization.CultureInfo.InvariantCulture) + "-";
            foreach (var path in Directory.EnumerateFiles(_settings.SnapshotDirectory, prefix + "*")) File.Delete(path);
        }
        finally
        {
            _snapshotGate.Release();
        }
        await _compactions.Request(true).WaitAsync(cancellationToken);
    }

    private static readonly IReadOnlyDictionary<bool, bool> CompactionDone = new Dictionary<bool, bool> { [true] = true };

    /// <summary>
    /// Compactions asked for by snapshots and drops: one run serves every request made before it started (a ring that
    /// takes a hundred partitions from the node costs one or two compactions, not a hundred).
    /// </summary>
    private readonly SharedRuns<bool, bool> _compactions;

    /// <summary>Compactions run for snapshots and drops (for tests).</summary>
    internal int CompactionRuns => _compactions.Runs;

    /// <summary>Deletes the oldest sealed segments every partition can do without.</summary>
    internal void Compact()
    {
        lock (_compactionGate)
        {
            List<SegmentEntry> doomed;
            lock (_lock)
            {
                var sealedPrefix = _segments.Values.TakeWhile(s => s.Sealed).ToList();
                var count = CompactionPlanner.DeletablePrefix(sealedPrefix.Select(s => (IReadOnlyDictionary<int, PartitionSpan>)s.Spans).ToList(),
                    p => _partitions.TryGetValue(p, out var info) ? info.Coverage : new PartitionCoverage(-1, -1));
                doomed = sealedPrefix.Take(count).ToList();
                foreach (var segment in doomed) _segments.Remove(segment.Index);
                // A Truncate in a deleted segment voided only records older than itself, and those are gone too.
                var logStart = _segments.Count > 0 ? LogPosition.StartOf(_segments.Keys.First()) : _writer.WrittenPosition;
                foreach (var p in doomed.SelectMany(s => s.Spans.Keys).Distinct())
                    Info(p).Truncations.RemoveAll(t => t.Position < logStart);
            }
            foreach (var segment in doomed)
            {
                try
                {
                    File.Delete(segment.Path);
                    _logger.LogDebug("Deleted log segment {Path}: every record in it is covered by a snapshot or a drop", segment.Path);
                }
                catch (IOException e)
                {
                    _logger.LogWarning(e, "Could not delete log segment {Path}", segment.Path);
                }
            }
        }
    }

    private PartitionInfo Info(int partition)
    {
        if (!_partitions.TryGetValue(partition, out var info)) _partitions[partition] = info = new PartitionInfo();
        return info;
    }

    /// <summary>Notes one record the log now holds, for compaction, catch-up reads and the next snapshot's mark.</summary>
    private void Index(SegmentEntry segment, int partition, OperationKind kind, long seq, long epoch, long position)
    {
        Info(partition).OnRecord(kind, seq, epoch, position);
        if (kind != OperationKind.Drop) segment.Add(partition, kind, seq, position);
    }

    void IWalListener.OnSegmentCreated(long segmentIndex, string path)
    {
        lock (_lock) _segments[segmentIndex] = new SegmentEntry(segmentIndex, path, _settings.CatchUpIndexInterval);
    }

    void IWalListener.OnSegmentSealed(long segmentIndex, long length)
    {
        lock (_lock)
        {
            if (_segments.TryGetValue(segmentIndex, out var segment)) segment.Sealed = true;
        }
        ThreadPool.QueueUserWorkItem(_ =>
        {
            try { Compact(); }
            catch (Exception e) { _logger.LogWarning(e, "Log compaction after rotation failed"); }
        });
    }

    void IWalListener.OnRecordsWritten(long segmentIndex, long fileOffset, ReadOnlySpan<BatchRecord> records)
    {
        var baseOffset = records[0].Offset;
        lock (_lock)
        {
            var segment = _segments[segmentIndex];
            foreach (var r in records)
            {
                var position = LogPosition.Of(segmentIndex, fileOffset + r.Offset - baseOffset);
                Index(segment, r.Partition, r.Kind, r.Seq, r.Epoch, position);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _writer?.Dispose();
        _dataDirLock?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
