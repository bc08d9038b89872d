using KvActors.Storage.Format;

namespace KvActors.Storage.Tests;

public class SegmentScannerTests
{
    /// <summary>A segment of <paramref name="count"/> records (partition = seq % 3) and each record's end offset.</summary>
    private static (byte[] Data, List<int> Ends) Segment(int count, long index = 1)
    {
        var data = new List<byte>();
        var header = new byte[SegmentFormat.HeaderSize];
        SegmentFormat.WriteHeader(header, index);
        data.AddRange(header);
        var ends = new List<int>();
        for (var seq = 1; seq <= count; seq++)
        {
            var key = Bytes.Of($"key-{seq}");
            var value = Bytes.Of(new string('v', seq * 7 % 50));
            var frame = new byte[RecordCodec.FrameSize(key.Length, 0, value.Length)];
            RecordCodec.Encode(frame, seq % 3, seq, OperationKind.Put, seq / 4, key, [], value);
            data.AddRange(frame);
            ends.Add(data.Count);
        }
        return (data.ToArray(), ends);
    }

    private static (List<long> Seqs, SegmentScanResult Result) Scan(ReadOnlySpan<byte> data, bool isLast, bool stopAtDamage = false)
    {
        var seqs = new List<long>();
        var result = SegmentScanner.Scan(data, 1, isLast, (in RecordFrame f, ReadOnlySpan<byte> _, long _) => seqs.Add(f.Seq), stopAtDamage);
        return (seqs, result);
    }

    [Fact]
    public void Reads_every_record_of_an_intact_segment()
    {
        var (data, _) = Segment(10);
        var (seqs, result) = Scan(data, isLast: true);
        seqs.Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
        result.Damage.Should().BeEmpty();
        result.TornTailOffset.Should().BeNull();
    }

    [Fact]
    public void Truncating_the_last_record_at_every_byte_yields_exactly_the_complete_prefix()
    {
        var (data, ends) = Segment(5);
        for (var cut = ends[^2]; cut < ends[^1]; cut++)
        {
            var (seqs, result) = Scan(data.AsSpan(0, cut), isLast: true);
            seqs.Should().Equal([1L, 2, 3, 4], $"cut at {cut}");
            result.Damage.Should().BeEmpty();
            result.TornTailOffset.Should().Be(cut == ends[^2] ? null : ends[^2]);
        }
    }

    [Fact]
    public void A_bit_flip_in_the_last_record_of_the_last_segment_is_a_torn_tail()
    {
        var (data, ends) = Segment(5);
        data[ends[^1] - 3] ^= 1;
        var (seqs, result) = Scan(data, isLast: true);
        seqs.Should().HaveCount(4);
        result.TornTailOffset.Should().Be(ends[^2]);
        result.Damage.Should().BeEmpty();
    }

    [Fact]
    public void A_bit_flip_anywhere_before_the_tail_is_corruption_and_later_records_still_read()
    {
        var (data, ends) = Segment(6);
        var start = ends[1];
        for (var bit = start * 8; bit < ends[2] * 8; bit++)
        {
            var damaged = (byte[])data.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            var (seqs, result) = Scan(damaged, isLast: true);
            result.TornTailOffset.Should().BeNull($"bit {bit}");
            result.Damage.Should().ContainSingle().Which.Offset.Should().Be(start);
            seqs.Should().Equal([1L, 2, 4, 5, 6], $"bit {bit}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)] // the magic, not the index
    public void A_last_segment_killed_before_its_header_was_written_is_a_torn_tail_at_0(int headerBytesWritten)
    {
        // A mapped segment is created with its space reserved (zeros), then its header is copied in.
        var data = new byte[4096];
        SegmentFormat.WriteHeader(data, 1);
        data.AsSpan(headerBytesWritten, SegmentFormat.HeaderSize - headerBytesWritten).Clear();
        var (seqs, result) = Scan(data, isLast: true);
        seqs.Should().BeEmpty();
        result.Damage.Should().BeEmpty();
        result.TornTailOffset.Should().Be(0);
    }

    [Fact]
    public void A_zeroed_header_with_a_record_after_it_is_damage()
    {
        var (data, _) = Segment(3);
        data.AsSpan(0, SegmentFormat.HeaderSize).Clear();
        var (_, result) = Scan(data, isLast: true);
        result.Damage.Should().ContainSingle().Which.Offset.Should().Be(0);
        result.TornTailOffset.Should().BeNull();
    }

    [Fact]
    public void A_short_non_last_segment_is_corruption_not_a_torn_tail()
    {
        var (data, ends) = Segment(3);
        var (seqs, result) = Scan(data.AsSpan(0, ends[^1] - 1), isLast: false);
        seqs.Should().Equal([1L, 2]);
        result.Damage.Should().ContainSingle().Which.Partition.Should().Be(0);
    }

    [Fact]
    public void Repair_mode_stops_at_the_first_damage()
    {
        var (data, ends) = Segment(6);
        data[ends[1] + 2] ^= 4;
        var (seqs, result) = Scan(data, isLast: true, stopAtDamage: true);
        seqs.Should().Equal([1L, 2]);
        result.Damage.Should().ContainSingle();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Zeros_to_the_end_of_any_segment_are_reserved_space_not_damage(bool isLast)
    {
        var (data, ends) = Segment(4);
        var reserved = data.Concat(new byte[100_000]).ToArray();
        var (seqs, result) = Scan(reserved, isLast);
        seqs.Should().Equal([1L, 2, 3, 4]);
        result.Damage.Should().BeEmpty();
        result.TornTailOffset.Should().Be(ends[^1]);
        result.ValidLength.Should().Be(ends[^1]);
    }

    [Fact]
    public void Zeros_with_a_record_after_them_are_damage()
    {
        var (data, ends) = Segment(4);
        Array.Clear(data, ends[1], ends[2] - ends[1]);
        var (seqs, result) = Scan(data, isLast: true);
        seqs.Should().Equal([1L, 2, 4]);
        result.Damage.Should().ContainSingle().Which.Offset.Should().Be(ends[1]);
        result.TornTailOffset.Should().BeNull();
    }
}
