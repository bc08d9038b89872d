using KvActors.Storage.Engine;
using KvActors.Storage.Format;

namespace KvActors.Storage.Tests;

/// <summary>
/// The log as a replica's replication log: records keep their epoch and tag, a Truncate voids a prepared tail durably,
/// marks (adopted epoch, commit point) come back as their maximum, and none of it is lost to snapshots or compaction.
/// </summary>
public sealed class ReplicationLogTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private StorageSettings Settings(long segmentSize = 64L << 20, bool repair = false) =>
        new() { DataDir = _dir.Path, Fsync = FsyncPolicy.Never, SegmentSize = segmentSize, Repair = repair };

    private static Task Put(IStorageEngine e, int p, long seq, long epoch, string value, int padding = 0) =>
        e.AppendAsync(p, seq, new StorageOperation(OperationKind.Put, Bytes.Of($"k{seq}"), Bytes.Of(value + new string('.', padding)), epoch,
            Bytes.Of($"req-{seq}-{epoch}"))).AsTask();

    /// <summary>A record as text: seq, kind, key, value (without padding), epoch, tag.</summary>
    private static string Show(LogRecord r) =>
        $"{r.Seq} {r.Kind} {Bytes.Text(r.Key.ToArray())}={Bytes.Text(r.Value.ToArray()).TrimEnd('.')} e{r.Epoch} {Bytes.Text(r.Tag.ToArray())}";

    private static IEnumerable<string> Show(IEnumerable<LogRecord> records) => records.Select(Show);

    private static Dictionary<string, string> AsText(Dictionary<byte[], byte[]> entries) =>
        entries.ToDictionary(e => Bytes.Text(e.Key), e => Bytes.Text(e.Value).TrimEnd('.'));

    [Fact]
    public async Task Records_come_back_with_their_epoch_and_tag_from_recovery_and_catch_up()
    {
        string[] expected = ["1 Put a=1 e3 req-1", "2 Delete a= e4 req-2", "3 Put b=2 e4 "];
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            await engine.AppendAsync(1, 1, new StorageOperation(OperationKind.Put, Bytes.Of("a"), Bytes.Of("1"), 3, Bytes.Of("req-1")));
            await engine.AppendAsync(1, 2, new StorageOperation(OperationKind.Delete, Bytes.Of("a"), default, 4, Bytes.Of("req-2")));
            await engine.AppendAsync(1, 3, new StorageOperation(OperationKind.Put, Bytes.Of("b"), Bytes.Of("2"), 4));
            Show((await engine.ReadSinceAsync(1, 0)).Records).Should().Equal(expected);
        }
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            Show((await engine.LoadPartitionAsync(1)).Records).Should().Equal(expected);   // recovered at open
            Show((await engine.LoadPartitionAsync(1)).Records).Should().Equal(expected);   // read again from disk
            Show((await engine.ReadSinceAsync(1, 1)).Records).Should().Equal(expected[1..]);
        }
    }

    public static TheoryData<string, long, long?> Histories => new()
    {
        { "one segment", 64L << 20, null },
        { "histories in different segments", 4096, null },
        { "and a snapshot at the new history", 4096, 8 },
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public async Task Truncate_then_a_different_history_at_the_same_seqs_recovers_only_the_new_history(string _, long segmentSize, long? snapshotAt)
    {
        var padding = segmentSize < 1 << 20 ? 1500 : 0;   // two records a segment
        var expected = new List<string>();
        await using (var engine = FileStorageEngine.Open(Settings(segmentSize)))
        {
            for (var seq = 1; seq <= 10; seq++) await Put(engine, 1, seq, 1, $"old{seq}", padding);
            await engine.RecordMarkAsync(1, new ReplicaMark(1, 6));
            // A failover: the new primary of epoch 2 never had 7..10, so this replica cuts them and takes its history.
            await engine.RecordMarkAsync(1, new ReplicaMark(2, 6));
            await engine.TruncateAfterAsync(1, 6);
            for (var seq = 7; seq <= 9; seq++) await Put(engine, 1, seq, 2, $"new{seq}", padding);
            if (segmentSize < 1 << 20) engine.SegmentIndexes.Count.Should().BeGreaterThan(3, "the two histories should span several segments");
            if (snapshotAt is { } at)
            {
                var state = (await engine.LoadPartitionAsync(1)).Entries.Where(e => int.Parse(Bytes.Text(e.Key)[1..]) <= at)
                    .ToDictionary(ByteArrayComparer.Instance);
                await engine.SaveSnapshotAsync(1, at, state, epoch: 2, tag: Bytes.Of("snap"));
            }
        }
        for (var reopen = 0; reopen < 2; reopen++)
        {
            await using var engine = FileStorageEngine.Open(Settings(segmentSize));
            var s = await engine.LoadPartitionAsync(1);
            var from = snapshotAt ?? 0;
            Show(s.Records).Should().Equal(Enumerable.Range(1, 9).Where(q => q > from)
                .Select(q => q <= 6 ? $"{q} Put k{q}=old{q} e1 req-{q}-1" : $"{q} Put k{q}=new{q} e2 req-{q}-2"));
            AsText(s.Entries).Should().Equal(Enumerable.Range(1, 9).ToDictionary(q => $"k{q}", q => q <= 6 ? $"old{q}" : $"new{q}"));
            s.LastSeq.Should().Be(9);
            s.Mark.Should().Be(new ReplicaMark(2, 6));
            (s.SnapshotSeq, s.SnapshotEpoch, Bytes.Text(s.SnapshotTag.ToArray())).Should().Be(snapshotAt is null ? (0L, 0L, "") : (8L, 2L, "snap"));
            var catchUp = await engine.ReadSinceAsync(1, from);
            Show(catchUp.Records).Should().Equal(Show(s.Records));
        }
    }

    [Fact]
    public async Task Catch_up_reads_leave_out_what_a_later_truncation_voided_even_when_they_stop_early()
    {
        await using var engine = FileStorageEngine.Open(Settings(4096));
        for (var seq = 1; seq <= 10; seq++) await Put(engine, 2, seq, 1, $"old{seq}", 500);
        await engine.TruncateAfterAsync(2, 2);
        for (var seq = 3; seq <= 5; seq++) await Put(engine, 2, seq, 2, $"new{seq}", 500);
        await engine.TruncateAfterAsync(2, 4);
        await Put(engine, 2, 5, 3, "newer5", 500);

        Show((await engine.ReadSinceAsync(2, 0)).Records).Should().Equal(
            "1 Put k1=old1 e1 req-1-1", "2 Put k2=old2 e1 req-2-1", "3 Put k3=new3 e2 req-3-2", "4 Put k4=new4 e2 req-4-2", "5 Put k5=newer5 e3 req-5-3");
        // Stopping after three records must not hand out the old seq 3, which the log holds before the new one.
        Show((await engine.ReadSinceAsync(2, 0, maxRecords: 3)).Records).Should().Equal(
            "1 Put k1=old1 e1 req-1-1", "2 Put k2=old2 e1 req-2-1", "3 Put k3=new3 e2 req-3-2");
        Show((await engine.ReadSinceAsync(2, 3)).Records).Should().Equal("4 Put k4=new4 e2 req-4-2", "5 Put k5=newer5 e3 req-5-3");
        (await engine.ReadSinceAsync(2, 5)).Records.Should().BeEmpty();
    }

    [Fact]
    public async Task Marks_recover_as_their_maximum_also_after_compaction_and_a_snapshot()
    {
        var settings = Settings(4096);
        await using (var engine = FileStorageEngine.Open(settings))
        {
            await engine.RecordMarkAsync(1, new ReplicaMark(1, 5));
            await engine.RecordMarkAsync(3, new ReplicaMark(7, 0));   // a partition with marks only
            for (var seq = 1; seq <= 40; seq++)
            {
                await Put(engine, 1, seq, 2, $"v{seq}", 300);
                if (seq == 15) await engine.RecordMarkAsync(1, new ReplicaMark(2, 30));
                if (seq == 25) await engine.RecordMarkAsync(1, new ReplicaMark(4, 25));   // a higher epoch, a lower commit point
            }
            (await engine.LoadPartitionAsync(1)).Mark.Should().Be(new ReplicaMark(4, 30));
            var before = engine.SegmentIndexes;
            await engine.SaveSnapshotAsync(1, 40, (await engine.LoadPartitionAsync(1)).Entries);
            // Partition 3's mark pins the first segment; drop its pin with a snapshot of its (empty) state.
            await engine.SaveSnapshotAsync(3, 0, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance));
            engine.SegmentIndexes[0].Should().BeGreaterThan(before[0], "the segments holding the marks are covered by the snapshots");
        }
        for (var reopen = 0; reopen < 2; reopen++)
        {
            await using var engine = FileStorageEngine.Open(settings);
            var p1 = await engine.LoadPartitionAsync(1);
            p1.Mark.Should().Be(new ReplicaMark(4, 30));
            p1.Records.Should().BeEmpty();
            (await engine.LoadPartitionAsync(3)).Mark.Should().Be(new ReplicaMark(7, 0));
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            await engine.RecordMarkAsync(1, new ReplicaMark(3, 41));
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            (await engine.LoadPartitionAsync(1)).Mark.Should().Be(new ReplicaMark(4, 41));
        }
    }

    [Fact]
    public async Task A_mark_whose_commit_point_equals_the_snapshot_seq_but_was_logged_after_it_survives_compaction()
    {
        var settings = Settings(4096);
        await using (var engine = FileStorageEngine.Open(settings))
        {
            for (var seq = 1; seq <= 20; seq++) await Put(engine, 1, seq, 1, $"v{seq}", 300);
            await engine.SaveSnapshotAsync(1, 20, (await engine.LoadPartitionAsync(1)).Entries, epoch: 1);
            var markSegment = engine.SegmentIndexes[^1];
            await engine.RecordMarkAsync(1, new ReplicaMark(5, 20));
            // Other traffic fills and seals more segments; partition 2's snapshot then covers all of its records.
            for (var seq = 1; seq <= 30; seq++) await Put(engine, 2, seq, 1, $"w{seq}", 300);
            await engine.SaveSnapshotAsync(2, 30, (await engine.LoadPartitionAsync(2)).Entries);
            engine.SegmentIndexes[0].Should().Be(markSegment, "everything before the mark's segment is covered, the mark is not");
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            (await engine.LoadPartitionAsync(1)).Mark.Should().Be(new ReplicaMark(5, 20));
            // A new snapshot carries the mark, so its segment may go now.
            await engine.SaveSnapshotAsync(1, 20, (await engine.LoadPartitionAsync(1)).Entries, epoch: 1);
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            engine.SegmentIndexes.Should().HaveCount(1, "only the segment this open started remains");
            var s = await engine.LoadPartitionAsync(1);
            s.Mark.Should().Be(new ReplicaMark(5, 20));
            (s.SnapshotSeq, s.SnapshotEpoch, s.Entries.Count).Should().Be((20L, 1L, 20));
        }
    }

    [Fact]
    public async Task A_snapshot_that_a_drop_voided_is_deleted_at_recovery_and_never_counts_again()
    {
        var settings = Settings(4096);
        var snapshots = Path.Combine(_dir.Path, "snapshots");
        await using (var engine = FileStorageEngine.Open(settings))
        {
            for (var seq = 1; seq <= 3; seq++) await Put(engine, 9, seq, 1, $"v{seq}");
            await engine.RecordMarkAsync(9, new ReplicaMark(3, 3));
            await engine.SaveSnapshotAsync(9, 500, (await engine.LoadPartitionAsync(9)).Entries);
            var file = Directory.GetFiles(snapshots).Single();
            var copy = File.ReadAllBytes(file);
            // The Drop lands exactly where the log ended when the snapshot was taken.
            await engine.DropPartitionAsync(9);
            // As if the node crashed after logging the Drop but before deleting the snapshot.
            File.WriteAllBytes(file, copy);
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            Directory.GetFiles(snapshots).Should().BeEmpty();
            engine.ListPartitions().Should().NotContain(9);
            var s = await engine.LoadPartitionAsync(9);
            (s.SnapshotSeq, s.Entries.Count, s.Mark).Should().Be((0L, 0, ReplicaMark.None));
            // Taken back: new records at low seqs must not be mistaken for ones the old snapshot covered.
            for (var seq = 1; seq <= 30; seq++) await Put(engine, 9, seq, 4, $"again{seq}", 300);
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            var s = await engine.LoadPartitionAsync(9);
            s.Records.Should().HaveCount(30);
            s.Records[0].Epoch.Should().Be(4);
        }
    }

    [Fact]
    public async Task A_damaged_record_the_snapshot_covers_is_skipped_unless_it_may_have_been_a_truncation()
    {
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            for (var seq = 1; seq <= 5; seq++) await Put(engine, 1, seq, 1, $"v{seq}");
            await engine.TruncateAfterAsync(1, 3);   // voids 4 and 5, which the snapshot at 3 does not cover
            await engine.SaveSnapshotAsync(1, 3, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance) { [Bytes.Of("k1")] = Bytes.Of("v1") });
        }
        var path = SegmentFiles.List(Path.Combine(_dir.Path, "wal")).First().Path;
        var pristine = File.ReadAllBytes(path);
        var frames = new List<(long Offset, OperationKind Kind, long Seq)>();
        SegmentScanner.Scan(pristine, 1, true, (in RecordFrame f, ReadOnlySpan<byte> _, long offset) => frames.Add((offset, f.Kind, f.Seq)));

        byte[] Damaged(long offset)
        {
            var bytes = (byte[])pristine.Clone();
            bytes[offset + RecordCodec.HeaderSize + 3] ^= 0x40;   // inside the epoch: the payload CRC fails, the header is fine
            return bytes;
        }

        // Seq 2 was logged before anything above the snapshot's seq: whatever it was, it changed nothing.
        File.WriteAllBytes(path, Damaged(frames.Single(f => f.Kind == OperationKind.Put && f.Seq == 2).Offset));
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            var s = await engine.LoadPartitionAsync(1);
            (s.SnapshotSeq, s.Records.Count).Should().Be((3L, 0));
        }

        // The Truncate says seq 3 too, but losing it would bring back 4 and 5.
        var truncate = frames.Single(f => f.Kind == OperationKind.Truncate).Offset;
        File.WriteAllBytes(path, Damaged(truncate));
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            var load = () => engine.LoadPartitionAsync(1).AsTask();
            (await load.Should().ThrowAsync<StorageException>()).Which.Message.Should().Contain($"offset {truncate}");
        }
    }

    [Theory]
    [InlineData("wal", "KVWAL002", "an older")]
    [InlineData("wal", "KVWAL004", "a newer")]
    [InlineData("snapshots", "KVSNAP02", "an older")]
    public async Task A_file_in_another_format_version_is_refused_in_one_sentence_even_with_repair_on(string folder, string magic, string age)
    {
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            await Put(engine, 1, 1, 1, "v");
            await engine.SaveSnapshotAsync(1, 1, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance));
        }
        var file = Directory.GetFiles(Path.Combine(_dir.Path, folder)).Order().First();
        var bytes = File.ReadAllBytes(file);
        System.Text.Encoding.ASCII.GetBytes(magic).CopyTo(bytes, 0);
        File.WriteAllBytes(file, bytes);

        foreach (var repair in new[] { false, true })
        {
            var open = () => FileStorageEngine.Open(Settings(repair: repair));
            var error = open.Should().Throw<StorageException>().Which;
            error.Kind.Should().Be(StorageErrorKind.UnsupportedFormat);
            error.Message.Should().Contain(file).And.Contain(magic).And.Contain($"written by {age} version of KvActors");
            error.Message.Should().EndWith(".").And.NotContain(". ", "the error is one sentence");
            File.ReadAllBytes(file).Should().Equal(bytes, "a refused file is left as it was");
        }
    }
}
