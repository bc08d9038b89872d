namespace KvActors.Storage.Format;

/// <summary>Receives each valid frame of a segment, in order. <paramref name="frameBytes"/> is the whole frame.</summary>
public delegate void FrameVisitor(in RecordFrame frame, ReadOnlySpan<byte> frameBytes, long offset);

/// <summary>A place in a segment where the bytes are not a valid frame (and are not a torn tail).</summary>
public readonly record struct SegmentDamage(long Offset, FrameStatus Status, int? Partition, long? Seq);

/// <summary>What scanning one segment found besides its valid records.</summary>
public sealed record SegmentScanResult(long ValidLength, long? TornTailOffset, IReadOnlyList<SegmentDamage> Damage);

/// <summary>
/// Walks a segment's bytes frame by frame and classifies every failure. Pure: bytes in, verdicts out.
/// The rule: damage in the last segment after which no valid frame follows is a torn tail (an interrupted write), and
/// so is a run of zeros to the end of any segment (reserved space never written, see <see cref="Wal.MappedLogFile"/>);
/// any other damage is corruption, and scanning resynchronises on the next valid frame so other partitions still load.
/// </summary>
public static class SegmentScanner
{
    /// <param name="stopAtDamage">Stop at the first corruption instead of resynchronising (repair mode truncates there).</param>
    /// <param name="dataOffset">
    /// Where in the segment <paramref name="data"/> starts: 0 (the whole segment, its header first) or the offset of a
    /// frame (a part of it, read from there). Every offset reported is the segment's.
    /// </param>
    public static SegmentScanResult Scan(ReadOnlySpan<byte> data, long segmentIndex, bool isLastSegment, FrameVisitor visitor, bool stopAtDamage = false,
        long dataOffset = 0)
    {
        if (dataOffset > 0)
        {
            var part = ScanFrames(data, 0, isLastSegment, stopAtDamage, new List<SegmentDamage>(),
                (in RecordFrame frame, ReadOnlySpan<byte> bytes, long offset) => visitor(frame, bytes, dataOffset + offset));
            return new SegmentScanResult(dataOffset + part.ValidLength, dataOffset + part.TornTailOffset,
                part.Damage.Select(d => d with { Offset = dataOffset + d.Offset }).ToList());
        }
        var damage = new List<SegmentDamage>();
        if (!SegmentFormat.IsValidHeader(data, segmentIndex))
        {
            // A crash right after the last segment was created, before its header was (wholly) written: the file is
            // shorter than a header, or (a mapped segment gets its space reserved at creation) a partial header or none,
            // then zeros. Nothing was ever logged in it.
            if (isLastSegment && (data.Length < SegmentFormat.HeaderSize || data[SegmentFormat.HeaderSize..].IndexOfAnyExcept((byte)0) < 0))
                return new SegmentScanResult(0, 0, damage);
            damage.Add(new SegmentDamage(0, FrameStatus.BadHeader, null, null));
            if (data.Length < SegmentFormat.HeaderSize || stopAtDamage) return new SegmentScanResult(0, null, damage);
        }
        return ScanFrames(data, SegmentFormat.HeaderSize, isLastSegment, stopAtDamage, damage, visitor);
    }

    private static SegmentScanResult ScanFrames(ReadOnlySpan<byte> data, long offset, bool isLastSegment, bool stopAtDamage,
        List<SegmentDamage> damage, FrameVisitor visitor)
    {
        while (offset < data.Length)
        {
            var rest = data[(int)offset..];
            var status = RecordCodec.TryDecode(rest, out var frame);
            if (status == FrameStatus.Valid)
            {
                visitor(frame, rest[..frame.FrameLength], offset);
                offset += frame.FrameLength;
                continue;
            }

            // Zeros to the end are space the writer reserved and never wrote (a mapped segment grows ahead of its
            // records; a crash leaves the rest): the segment ends here, in any segment, and it is no damage.
            if (rest.IndexOfAnyExcept((byte)0) < 0) return new SegmentScanResult(offset, offset, damage);

            // A sound header tells where the frame ends, so the next frame can only start there; this also keeps
            // a record stored inside a damaged value from being mistaken for a real one.
            var headerKnown = status == FrameStatus.BadPayload || (status == FrameStatus.Truncated && rest.Length >= RecordCodec.HeaderSize);
            var searchFrom = headerKnown ? offset + frame.FrameLength : offset + 1;
            var next = FindNextValidFrame(data, searchFrom);
            if (next < 0 && isLastSegment) return new SegmentScanResult(offset, offset, damage);

            damage.Add(headerKnown
                ? new SegmentDamage(offset, status, frame.Partition, frame.Seq)
                : new SegmentDamage(offset, status, null, null));
            if (next < 0 || stopAtDamage) return new SegmentScanResult(offset, null, damage);
            offset = next;
        }
        return new SegmentScanResult(offset, null, damage);
    }

    /// <summary>The offset of the first valid frame at or after <paramref name="from"/>, or -1.</summary>
    public static long FindNextValidFrame(ReadOnlySpan<byte> data, long from)
    {
        for (var at = from; at <= data.Length - RecordCodec.MinimumFrameSize; at++)
        {
            if (RecordCodec.TryDecode(data[(int)at..], out _) == FrameStatus.Valid) return at;
        }
        return -1;
    }
}
