using KvActors.Storage.Format;
using KvActors.Storage.Recovery;

namespace KvActors.Storage.Engine;

// Loading a partition: from the replay kept since open when nothing touched the partition since; as empty when the log
// holds nothing of it; otherwise from one more pass over the log, shared by every partition waiting for one.
public sealed partial class FileStorageEngine
{
    /// <summary>A partition rebuilt from disk, or why it cannot load.</summary>
    private readonly record struct ReplayOutcome(PartitionReplay? Replay, StorageException? Error);

    /// <summary>
    /// Partitions that need the log read again (a restart whose first ring drops and re-adds many, or touches them before
    /// they load) share passes: one pass per burst, not one per partition.
    /// </summary>
    private readonly SharedRuns<int, ReplayOutcome> _replays;

    /// <summary>
    /// At most this many partitions are read in (snapshot files decoded) at once: a node loading hundreds of partitions
    /// leaves the rest of the thread pool, and the cores, to the actors (and their cluster heartbeats).
    /// </summary>
    private readonly SemaphoreSlim _materializeGate = new(Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>Passes over the log made for partitions whose replay from open could not be used (for tests).</summary>
    internal int ReplayPasses => _replays.Runs;

    public async ValueTask<PartitionState> LoadPartitionAsync(int partition, CancellationToken cancellationToken = default)
    {
        ThrowIfCorrupt(partition);
        if (!_held.TryRemove(partition, out var replay))
        {
            if (NothingOnDisk(partition)) replay = new PartitionReplay(partition, null);
            else
            {
                var outcome = await _replays.Request(partition).WaitAsync(cancellationToken);
                replay = outcome.Replay ?? throw outcome.Error!;
            }
        }
        await _materializeGate.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() => Materialize(partition, replay), cancellationToken);
        }
        finally
        {
            _materializeGate.Release();
        }
    }

    /// <summary>No snapshot and no record since the partition's last Drop (or ever): nothing to read.</summary>
    private bool NothingOnDisk(int partition)
    {
        lock (_lock) return !_partitions.TryGetValue(partition, out var info) || !info.HasData;
    }

    /// <summary>The slow path for one partition (repair after a bad snapshot).</summary>
    private PartitionReplay ReplayFromDisk(int partition)
    {
        var outcome = ReplayFromDisk([partition])[partition];
        return outcome.Replay ?? throw outcome.Error!;
    }

    /// <summary>
    /// Rebuilds <paramref name="partitions"/> with one pass over the log files, reading only segments that hold a record
    /// of one of them logged after its last Drop (what a Drop precedes it voided).
    /// </summary>
    private IReadOnlyDictionary<int, ReplayOutcome> ReplayFromDisk(IReadOnlyCollection<int> partitions)
    {
        var wanted = partitions.ToHashSet();
        var snapshots = new Dictionary<int, SnapshotHeader>();
        var droppedAt = new Dictionary<int, long>();
        List<SegmentEntry> segments;
        lock (_lock)
        {
            foreach (var p in wanted)
            {
                var info = Info(p);
                if (info.Snapshot is { } header) snapshots[p] = header;
                droppedAt[p] = info.LastDropPosition;
            }
            segments = _segments.Values
                .Where(s => s.Spans.Any(span => wanted.Contains(span.Key) && span.Value.LastPosition > droppedAt[span.Key]))
                .ToList();
        }
        var replayer = new LogReplayer(snapshots, wanted.Contains);
        var buffer = Array.Empty<byte>();
        var written = _writer.WrittenPosition;
        foreach (var segment in segments)
        {
            var length = ReadSegment(segment, written, ref buffer);
            if (length < 0) continue;
            var index = segment.Index;
            var result = SegmentScanner.Scan(buffer.AsSpan(0, length), index, isLastSegment: false,
                (in RecordFrame f, ReadOnlySpan<byte> bytes, long offset) => replayer.OnFrame(f, bytes, LogPosition.Of(index, offset)));
            foreach (var damage in result.Damage) replayer.OnDamage(damage, segment.Path, LogPosition.Of(index, damage.Offset));
        }
        return wanted.ToDictionary(p => p, p => replayer.ErrorFor(p) is { } error
            ? new ReplayOutcome(null, error)
            : new ReplayOutcome(replayer.Get(p), null));
    }
}
