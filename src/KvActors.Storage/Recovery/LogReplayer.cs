using KvActors.Storage.Format;

namespace KvActors.Storage.Recovery;

/// <summary>
/// Rebuilds partitions from snapshots plus log records, in log order. Pure: it is fed frames and damage reports and
/// decides, per partition, what state results and whether the partition may load at all.
/// Rules: a Put, Delete or Noop is kept if its seq is above the partition's snapshot seq; a Truncate voids the records kept
/// so far with a higher seq; a Mark raises the partition's mark; a Drop voids earlier records and marks (and a snapshot
/// not taken after it). Damage attributed to a partition makes it refuse to load unless a later Drop voids it or the
/// damaged record provably changed nothing (<see cref="PartitionReplay.IsCoveredDamage"/>); damage whose partition is
/// unknown refuses every partition not dropped after it.
/// </summary>
internal sealed class LogReplayer
{
    private readonly IReadOnlyDictionary<int, SnapshotHeader> _snapshots;
    private readonly Func<int, bool> _wanted;
    private readonly Dictionary<int, PartitionReplay> _partitions = new();
    private readonly List<(long Position, StorageException Error)> _unattributed = new();
    private PartitionReplay? _last;

    /// <param name="snapshots">The snapshot each partition will start from.</param>
    /// <param name="wanted">Which partitions to rebuild (others are skipped cheaply).</param>
    public LogReplayer(IReadOnlyDictionary<int, SnapshotHeader> snapshots, Func<int, bool>? wanted = null)
    {
        _snapshots = snapshots;
        _wanted = wanted ?? (_ => true);
    }

    /// <summary>Records read other than Drops.</summary>
    public long RecordsApplied { get; private set; }

    public void OnFrame(in RecordFrame frame, ReadOnlySpan<byte> frameBytes, long position)
    {
        if (!_wanted(frame.Partition)) return;
        // Records of one partition tend to come in runs; skip the dictionary lookup for a repeat.
        var replay = _last is not null && _last.Partition == frame.Partition ? _last : _last = Get(frame.Partition);
        switch (frame.Kind)
        {
            case OperationKind.Drop:
                replay.Drop(position);
                return;
            case OperationKind.Truncate:
                replay.Truncate(frame.Seq);
                break;
            case OperationKind.Mark:
                replay.RecordMark(new ReplicaMark(frame.Epoch, frame.Seq));
                break;
            default:
                replay.Add(frame, frameBytes);
                break;
        }
        RecordsApplied++;
    }

    public void OnDamage(SegmentDamage damage, string file, long position, bool repairAvailable = true)
    {
        var hint = repairAvailable ? "; start with kvactors.storage.repair = on to truncate the log there" : "";
        if (damage.Partition is { } p)
        {
            if (!_wanted(p)) return;
            var replay = Get(p);
            if (damage.Seq is { } seq && replay.IsCoveredDamage(position, seq)) return;
            replay.Damage ??= new StorageException(StorageErrorKind.Corrupt,
                $"Partition {p} is corrupt: bad CRC at {file} offset {damage.Offset}{hint}.")
            { File = file, Offset = damage.Offset, Partition = p };
            return;
        }
        _unattributed.Add((position, new StorageException(StorageErrorKind.Corrupt,
            $"The log is corrupt: unreadable record header at {file} offset {damage.Offset}, so no partition can be trusted{hint}.")
        { File = file, Offset = damage.Offset }));
    }

    /// <summary>Damage whose partition is unknown, with its log position: it bars every partition not dropped after it.</summary>
    public IReadOnlyList<(long Position, StorageException Error)> Unattributed => _unattributed;

    /// <summary>Partitions the log mentioned (including ones it dropped).</summary>
    public IReadOnlyDictionary<int, PartitionReplay> Partitions => _partitions;

    /// <summary>The error that keeps <paramref name="partition"/> from loading, or null.</summary>
    public StorageException? ErrorFor(int partition)
    {
        _partitions.TryGetValue(partition, out var replay);
        if (replay?.Damage is { } own) return own;
        return UnattributedErrorFor(partition, replay?.LastDropPosition ?? -1, _unattributed);
    }

    public static StorageException? UnattributedErrorFor(int partition, long droppedAt, IReadOnlyList<(long Position, StorageException Error)> unattributed)
    {
        foreach (var (position, error) in unattributed)
        {
            if (droppedAt < position) return new StorageException(error.Kind, error.Message.Replace("The log is corrupt", $"Partition {partition} cannot load: the log is corrupt"))
            { File = error.File, Offset = error.Offset, Partition = partition };
        }
        return null;
    }

    public PartitionReplay Get(int partition)
    {
        if (!_partitions.TryGetValue(partition, out var replay))
        {
            replay = new PartitionReplay(partition, _snapshots.TryGetValue(partition, out var s) ? s : null);
            _partitions[partition] = replay;
        }
        return replay;
    }
}
