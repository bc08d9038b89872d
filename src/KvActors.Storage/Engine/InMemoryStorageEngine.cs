namespace KvActors.Storage.Engine;

/// <summary>
/// The engine contract kept in memory, for tests of the layers above: same answers as <see cref="FileStorageEngine"/>
/// (including size limits, truncation, marks and "compacted" after a snapshot), nothing durable.
/// </summary>
public sealed class InMemoryStorageEngine : IStorageEngine
{
    private readonly object _lock = new();
    private readonly Dictionary<int, Partition> _partitions = new();
    private readonly int _maxKeySize;
    private readonly int _maxValueSize;

    public InMemoryStorageEngine(int maxKeySize = 64 << 10, int maxValueSize = 1 << 20)
    {
        _maxKeySize = maxKeySize;
        _maxValueSize = maxValueSize;
    }

    private sealed class Partition
    {
        public Dictionary<byte[], byte[]> Snapshot = new(ByteArrayComparer.Instance);
        public long SnapshotSeq;
        public long CatchUpFloor; // the log after this stays for catch-up (keepLogAfter)
        public long SnapshotEpoch;
        public byte[] SnapshotTag = [];
        public Dictionary<byte[], long> SnapshotExpiries = new(ByteArrayComparer.Instance);
        public ReplicaMark Mark;
        public readonly List<LogRecord> Records = new();
    }

    public IReadOnlyCollection<int> ListPartitions()
    {
        lock (_lock) return _partitions.Keys.Order().ToArray();
    }

    public ValueTask<PartitionState> LoadPartitionAsync(int partition, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var p)) return ValueTask.FromResult(PartitionState.Empty(partition));
            return ValueTask.FromResult(new PartitionState(partition, p.SnapshotSeq, p.SnapshotEpoch, p.SnapshotTag.ToArray(),
                new Dictionary<byte[], byte[]>(p.Snapshot, ByteArrayComparer.Instance), p.Records.Where(r => r.Seq > p.SnapshotSeq).ToArray(), p.Mark,
                new Dictionary<byte[], long>(p.SnapshotExpiries, ByteArrayComparer.Instance)));
        }
    }

    public ValueTask AppendAsync(int partition, long seq, StorageOperation operation)
    {
        if (OperationLimits.Check(operation, _maxKeySize, _maxValueSize) is { } error) return ValueTask.FromException(error);
        lock (_lock)
        {
            Get(partition).Records.Add(new LogRecord(partition, seq, operation.Kind, operation.Key.ToArray(), operation.Value.ToArray(),
                operation.Epoch, operation.Tag.ToArray(), operation.ExpiresAtMs));
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask TruncateAfterAsync(int partition, long seq)
    {
        lock (_lock) Get(partition).Records.RemoveAll(r => r.Seq > seq);
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordMarkAsync(int partition, ReplicaMark mark)
    {
        lock (_lock)
        {
            var p = Get(partition);
            p.Mark = p.Mark.Max(mark);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(int partition, IReadOnlyList<LogWrite> writes)
    {
        foreach (var write in writes)
            if (write.Kind == LogWriteKind.Append && OperationLimits.Check(write.Operation, _maxKeySize, _maxValueSize) is { } error)
                return ValueTask.FromException(error);
        foreach (var write in writes)
        {
            var done = write.Kind switch
            {
                LogWriteKind.Append => AppendAsync(partition, write.Seq, write.Operation),
                LogWriteKind.TruncateAfter => TruncateAfterAsync(partition, write.Seq),
                _ => RecordMarkAsync(partition, write.Mark),
            };
            if (!done.IsCompletedSuccessfully) return done;
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask SaveSnapshotAsync(int partition, long seq, IReadOnlyCollection<KeyValuePair<byte[], byte[]>> state,
        long epoch = 0, ReadOnlyMemory<byte> tag = default, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<byte[], long>? expiries = null, long keepLogAfter = -1)
    {
        lock (_lock)
        {
            var p = Get(partition);
            p.Snapshot = new Dictionary<byte[], byte[]>(state.Select(kv => KeyValuePair.Create(kv.Key.ToArray(), kv.Value.ToArray())), ByteArrayComparer.Instance);
            p.SnapshotExpiries = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
            foreach (var (key, _) in p.Snapshot)
                if (expiries is not null && expiries.TryGetValue(key, out var at) && at != 0)
                    p.SnapshotExpiries[key] = at;
            p.SnapshotSeq = seq;
            p.SnapshotEpoch = epoch;
            p.SnapshotTag = tag.ToArray();
            // Like log compaction: records the snapshot covers (but the log kept with it) are gone, so catch-up from before
            // them says "compacted".
            p.CatchUpFloor = keepLogAfter >= 0 && keepLogAfter < seq ? keepLogAfter : seq;
            p.Records.RemoveAll(r => r.Seq <= p.CatchUpFloor);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<CatchUpResult> ReadSinceAsync(int partition, long afterSeq, int maxRecords = int.MaxValue, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var p)) return ValueTask.FromResult(CatchUpResult.Of(Array.Empty<LogRecord>()));
            if (afterSeq < p.CatchUpFloor) return ValueTask.FromResult(CatchUpResult.CompactedAnswer);
            return ValueTask.FromResult(CatchUpResult.Of(p.Records.Where(r => r.Seq > afterSeq).Take(maxRecords).ToArray()));
        }
    }

    public ValueTask DropPartitionAsync(int partition, CancellationToken cancellationToken = default)
    {
        lock (_lock) _partitions.Remove(partition);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Partition Get(int partition)
    {
        if (!_partitions.TryGetValue(partition, out var p)) _partitions[partition] = p = new Partition();
        return p;
    }
}
