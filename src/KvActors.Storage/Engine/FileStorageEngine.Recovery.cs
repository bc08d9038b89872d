using KvActors.Storage.Format;
using KvActors.Storage.Recovery;
using KvActors.Storage.Snapshots;
using Microsoft.Extensions.Logging;

namespace KvActors.Storage.Engine;

// Start-up: refuse another format version, pick each partition's snapshot, scan and replay the whole log once, deal
// with a torn tail or damage.
public sealed partial class FileStorageEngine
{
    /// <summary>
    /// Throws if any segment or snapshot is in another version of the format. Runs before recovery changes anything on
    /// disk, and whatever repair says: such files are not damaged, and deleting them would lose data.
    /// </summary>
    private void RefuseOtherFormats()
    {
        Span<byte> head = stackalloc byte[8];
        foreach (var (_, path) in SegmentFiles.List(_settings.WalDirectory))
        {
            if (SegmentFormat.CheckVersion(head[..ReadHead(path, head)], path) is { } error) throw error;
        }
        foreach (var path in Directory.EnumerateFiles(_settings.SnapshotDirectory, "*" + SnapshotFormat.Extension))
        {
            if (!SnapshotFormat.TryParseFileName(Path.GetFileName(path), out _, out _)) continue;
            if (SnapshotFormat.CheckVersion(head[..ReadHead(path, head)], path) is { } error) throw error;
        }
    }

    private static int ReadHead(string path, Span<byte> head)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
    }

    private void RecoverSnapshots(Dictionary<int, SnapshotHeader> chosen)
    {
        var byPartition = new Dictionary<int, List<(long Seq, string Path)>>();
        foreach (var path in Directory.EnumerateFiles(_settings.SnapshotDirectory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(SnapshotFormat.TempExtension, StringComparison.Ordinal))
            {
                // A crash while writing a snapshot: the rename never happened, so this file was never in use.
                _logger.LogInformation("Deleting unfinished snapshot {Path} left by an interrupted write", path);
                File.Delete(path);
                continue;
            }
            if (!SnapshotFormat.TryParseFileName(name, out var partition, out var seq)) continue;
            if (!byPartition.TryGetValue(partition, out var list)) byPartition[partition] = list = new();
            list.Add((seq, path));
        }

        foreach (var (partition, files) in byPartition)
        {
            files.Sort((a, b) => b.Seq.CompareTo(a.Seq));
            var found = false;
            foreach (var (seq, path) in files)
            {
                if (found)
                {
                    // An older snapshot whose deletion a crash interrupted.
                    File.Delete(path);
                    continue;
                }
                if (SnapshotReader.TryReadHeader(path, out var header) && header.Partition == partition && header.Seq == seq)
                {
                    chosen[partition] = header;
                    var info = Info(partition);
                    info.Snapshot = header;
                    info.SnapshotPath = path;
                    found = true;
                    continue;
                }
                if (_settings.Repair)
                {
                    _logger.LogWarning("Repair: deleting snapshot {Path}, whose header is unreadable", path);
                    File.Delete(path);
                    continue;
                }
                _errors[partition] = new StorageException(StorageErrorKind.Corrupt,
                    $"Partition {partition} is corrupt: snapshot {path} has an unreadable header; start with kvactors.storage.repair = on to ignore it.")
                { File = path, Offset = 0, Partition = partition };
                break;
            }
        }
    }

    /// <returns>The index the next segment should have.</returns>
    private long RecoverLog(Dictionary<int, SnapshotHeader> snapshots)
    {
        var replayer = new LogReplayer(snapshots);
        foreach (var p in snapshots.Keys) replayer.Get(p);
        var segments = SegmentFiles.List(_settings.WalDirectory);
        var buffer = Array.Empty<byte>();
        var nextIndex = 1L;
        for (var i = 0; i < segments.Count; i++)
        {
            var (index, path) = segments[i];
            nextIndex = index + 1;
            var length = SegmentFiles.Read(path, ref buffer);
            var entry = new SegmentEntry(index, path, _settings.CatchUpIndexInterval) { Sealed = true };
            _segments[index] = entry;

            FrameVisitor visitor = (in RecordFrame frame, ReadOnlySpan<byte> bytes, long offset) =>
            {
                var position = LogPosition.Of(index, offset);
                replayer.OnFrame(frame, bytes, position);
                Index(entry, frame.Partition, frame.Kind, frame.Seq, frame.Epoch, position);
            };
            var isLast = i == segments.Count - 1;
            var result = SegmentScanner.Scan(buffer.AsSpan(0, length), index, isLast, visitor, stopAtDamage: _settings.Repair);
            RecordsRecovered = replayer.RecordsApplied;

            if (result.TornTailOffset is { } torn)
            {
                if (buffer.AsSpan((int)torn, (int)(length - torn)).IndexOfAnyExcept((byte)0) < 0)
                    _logger.LogInformation("Cut {Bytes} bytes of reserved, never written log space from the end of {Path}", length - torn, path);
                else
                    _logger.LogWarning("Truncated a torn write at the end of the log: {Path} at offset {Offset} ({Bytes} bytes dropped)",
                        path, torn, length - torn);
                if (torn < SegmentFormat.HeaderSize)
                {
                    File.Delete(path);
                    _segments.Remove(index);
                }
                else SegmentFiles.Truncate(path, torn);
            }

            if (result.Damage.Count == 0) continue;
            if (_settings.Repair)
            {
                var at = result.Damage[0].Offset;
                _logger.LogWarning("Repair: truncating the log at damage in {Path} offset {Offset}; {Later} later segment(s) deleted",
                    path, at, segments.Count - i - 1);
                SegmentFiles.Truncate(path, Math.Max(at, SegmentFormat.HeaderSize));
                for (var j = i + 1; j < segments.Count; j++) File.Delete(segments[j].Path);
                break;
            }
            foreach (var damage in result.Damage)
            {
                _logger.LogError("Log damage in {Path} at offset {Offset} ({Status})", path, damage.Offset, damage.Status);
                replayer.OnDamage(damage, path, LogPosition.Of(index, damage.Offset));
            }
        }

        foreach (var (partition, replay) in replayer.Partitions)
        {
            _held[partition] = replay;
            var info = Info(partition);
            info.Mark = replay.Mark;
            if (!replay.UseSnapshot && info.SnapshotPath is { } voided)
            {
                // A crash between a Drop and deleting the snapshot it voids. Left in place, it would count again once
                // compaction deleted the Drop, and its seq would let compaction delete the records logged since.
                _logger.LogInformation("Deleting snapshot {Path}: partition {Partition} was dropped after it was taken", voided, partition);
                File.Delete(voided);
                info.Snapshot = null;
                info.SnapshotPath = null;
            }
            if (replay.Damage is { } error) _errors[partition] = error;
        }
        _unattributedDamage = replayer.Unattributed.ToArray();
        return nextIndex;
    }
}
