using KvActors.Storage.Engine;
using KvActors.Storage.Format;

namespace KvActors.Storage.Tests;

public sealed class FileStorageEngineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private StorageSettings Settings(FsyncPolicy fsync = FsyncPolicy.Never, long segmentSize = 64L << 20, bool repair = false) =>
        new() { DataDir = _dir.Path, Fsync = fsync, SegmentSize = segmentSize, Repair = repair };

    private static Task Put(IStorageEngine e, int p, long seq, string key, string value) =>
        e.AppendAsync(p, seq, StorageOperation.Put(Bytes.Of(key), Bytes.Of(value))).AsTask();

    private static Dictionary<string, string> AsText(PartitionState s) => s.Entries.ToDictionary(e => Bytes.Text(e.Key), e => Bytes.Text(e.Value));

    private string[] SegmentPaths() => SegmentFiles.List(Path.Combine(_dir.Path, "wal")).Select(s => s.Path).ToArray();

    [Fact]
    public async Task A_data_directory_in_use_is_refused_with_the_reason_until_its_engine_is_disposed()
    {
        var first = FileStorageEngine.Open(Settings());
        await Put(first, 1, 1, "a", "1");

        var refused = FluentActions.Invoking(() => FileStorageEngine.Open(Settings())).Should().Throw<StorageException>().Which;
        refused.Kind.Should().Be(StorageErrorKind.Unavailable);
        refused.Message.Should().Contain("is in use by another node").And.Contain("--data-dir");

        await first.DisposeAsync();
        await using var second = FileStorageEngine.Open(Settings());
        AsText(await second.LoadPartitionAsync(1)).Should().Equal(new Dictionary<string, string> { ["a"] = "1" });
    }

    [Theory]
    [InlineData(FsyncPolicy.Always)]
    [InlineData(FsyncPolicy.EverySec)]
    [InlineData(FsyncPolicy.Never)]
    public async Task Round_trips_puts_and_deletes_across_a_restart(FsyncPolicy fsync)
    {
        await using (var engine = FileStorageEngine.Open(Settings(fsync)))
        {
            await Put(engine, 1, 1, "a", "1");
            await Put(engine, 1, 2, "b", "2");
            await Put(engine, 2, 1, "a", "other partition");
            await engine.AppendAsync(1, 3, StorageOperation.Delete(Bytes.Of("a")));
            await Put(engine, 1, 4, "b", "2b");
        }
        await using (var engine = FileStorageEngine.Open(Settings(fsync)))
        {
            engine.ListPartitions().Should().Equal(1, 2);
            var p1 = await engine.LoadPartitionAsync(1);
            p1.LastSeq.Should().Be(4);
            AsText(p1).Should().Equal(new Dictionary<string, string> { ["b"] = "2b" });
            AsText(await engine.LoadPartitionAsync(2)).Should().Equal(new Dictionary<string, string> { ["a"] = "other partition" });
            (await engine.LoadPartitionAsync(99)).LastSeq.Should().Be(0);
            // A second load re-reads the disk and agrees.
            AsText(await engine.LoadPartitionAsync(1)).Should().Equal(new Dictionary<string, string> { ["b"] = "2b" });
        }
    }

    [Theory]
    [InlineData(FsyncPolicy.EverySec)]
    [InlineData(FsyncPolicy.Never)]
    public async Task Without_an_fsync_per_write_a_record_is_written_when_the_append_returns(FsyncPolicy fsync)
    {
        await using var engine = FileStorageEngine.Open(Settings(fsync));
        var append = engine.AppendAsync(1, 1, StorageOperation.Put(Bytes.Of("a"), Bytes.Of("1")));
        var mark = engine.RecordMarkAsync(1, new ReplicaMark(2, 1));
        var truncate = engine.TruncateAfterAsync(1, 1);

        append.IsCompletedSuccessfully.Should().BeTrue();
        mark.IsCompletedSuccessfully.Should().BeTrue();
        truncate.IsCompletedSuccessfully.Should().BeTrue();
        (await engine.ReadSinceAsync(1, 0)).Records.Select(r => r.Seq).Should().Equal(1);
        (await engine.LoadPartitionAsync(1)).Mark.Should().Be(new ReplicaMark(2, 1));
    }

    [Fact]
    public async Task Snapshot_plus_later_records_recover_and_binary_keys_work()
    {
        var key = new byte[] { 0, 255, 1 };
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            await engine.AppendAsync(5, 1, StorageOperation.Put(key, new byte[] { 9 }));
            var state = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance) { [key] = [9], [Bytes.Of("x")] = Bytes.Of("snap") };
            await engine.SaveSnapshotAsync(5, 10, state);
            await Put(engine, 5, 11, "x", "after");
            await Put(engine, 5, 12, "y", "new");
        }
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            var s = await engine.LoadPartitionAsync(5);
            s.LastSeq.Should().Be(12);
            s.Entries[key].Should().Equal(9);
            Bytes.Text(s.Entries[Bytes.Of("x")]).Should().Be("after");
            Bytes.Text(s.Entries[Bytes.Of("y")]).Should().Be("new");
        }
    }

    [Fact]
    public async Task Truncating_the_last_record_at_every_byte_recovers_exactly_the_prefix_with_one_warning()
    {
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            for (var seq = 1; seq <= 4; seq++) await Put(engine, 0, seq, $"k{seq}", $"value-{seq}");
        }
        var path = SegmentPaths().Single();
        var full = File.ReadAllBytes(path);
        var lastStart = full.Length - RecordCodec.FrameSize(2, 0, 7);
        for (var cut = lastStart; cut < full.Length; cut++)
        {
            File.WriteAllBytes(path, full[..cut]);
            foreach (var extra in SegmentPaths().Skip(1)) File.Delete(extra);
            var logger = new CapturingLogger();
            await using var engine = FileStorageEngine.Open(Settings(), logger);
            var s = await engine.LoadPartitionAsync(0);
            s.Entries.Keys.Select(Bytes.Text).Should().BeEquivalentTo(["k1", "k2", "k3"], $"cut at {cut}");
            s.LastSeq.Should().Be(3);
            if (cut == lastStart) logger.Warnings.Should().BeEmpty();
            else logger.Warnings.Should().ContainSingle().Which.Should().Contain("torn write").And.Contain(path);
            new FileInfo(path).Length.Should().Be(lastStart);
        }
    }

    [Fact]
    public async Task Reserved_space_a_crash_left_after_the_last_record_is_cut_without_a_warning_and_appends_go_on()
    {
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            for (var seq = 1; seq <= 3; seq++) await Put(engine, 0, seq, $"k{seq}", $"value-{seq}");
        }
        var path = SegmentPaths().Single();
        var written = new FileInfo(path).Length;
        // What a killed process leaves: the mapped segment as long as reserved, zeros past its last record.
        using (var file = new FileStream(path, FileMode.Open)) file.SetLength(written + (3 << 20));

        var logger = new CapturingLogger();
        await using (var engine = FileStorageEngine.Open(Settings(), logger))
        {
            AsText(await engine.LoadPartitionAsync(0)).Should().BeEquivalentTo(new Dictionary<string, string>
                { ["k1"] = "value-1", ["k2"] = "value-2", ["k3"] = "value-3" });
            logger.Warnings.Should().BeEmpty();
            logger.Entries.Should().Contain(e => e.Message.Contains("reserved") && e.Message.Contains(path));
            new FileInfo(path).Length.Should().Be(written);
            await Put(engine, 0, 4, "k4", "value-4");
        }
        await using (var engine = FileStorageEngine.Open(Settings()))
            (await engine.LoadPartitionAsync(0)).LastSeq.Should().Be(4);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Mapped_segments_reserve_the_segment_being_written_and_positional_ones_grow_with_their_records(bool mapped)
    {
        if (mapped && !MappedLogFileTests.SegmentsAreMappedIn(_dir.Path)) return; // not on this platform or file system
        var settings = Settings() with { MappedSegments = mapped };
        await using (var engine = FileStorageEngine.Open(settings))
        {
            for (var seq = 1; seq <= 10; seq++) await Put(engine, 0, seq, $"k{seq}", "value");
            var length = new FileInfo(SegmentPaths().Single()).Length;
            if (mapped) length.Should().Be(settings.SegmentSize, "the mapping makes the file as long as the segment");
            else length.Should().BeLessThan(4096, "ten small records and the header");
        }
        new FileInfo(SegmentPaths().Single()).Length.Should().BeLessThan(4096);
        await using (var reopened = FileStorageEngine.Open(settings))
            (await reopened.LoadPartitionAsync(0)).LastSeq.Should().Be(10);
    }

    [Fact]
    public async Task A_segment_is_as_long_as_its_records_once_sealed_or_closed()
    {
        var settings = Settings(segmentSize: 8192);
        await using (var engine = FileStorageEngine.Open(settings))
        {
            for (var seq = 1; seq <= 200; seq++) await Put(engine, 0, seq, $"k{seq}", new string('v', 100));
            var sealedSegments = SegmentPaths()[..^1];
            sealedSegments.Should().NotBeEmpty();
            foreach (var sealedPath in sealedSegments)
                new FileInfo(sealedPath).Length.Should().Be(ScannedLength(sealedPath)).And.BeLessThanOrEqualTo(8192);
        }
        foreach (var path in SegmentPaths())
            new FileInfo(path).Length.Should().Be(ScannedLength(path));
        await using (var reopened = FileStorageEngine.Open(settings))
            (await reopened.LoadPartitionAsync(0)).LastSeq.Should().Be(200);

        static long ScannedLength(string path)
        {
            var bytes = File.ReadAllBytes(path);
            var index = SegmentFiles.List(Path.GetDirectoryName(path)!).Single(s => s.Path == path).Index;
            var result = SegmentScanner.Scan(bytes, index, isLastSegment: false, (in RecordFrame _, ReadOnlySpan<byte> _, long _) => { });
            result.Damage.Should().BeEmpty();
            return result.ValidLength;
        }
    }

    [Fact]
    public async Task A_bit_flip_before_the_tail_refuses_that_partition_naming_file_and_offset_and_repair_truncates()
    {
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            await Put(engine, 1, 1, "a", "1");
            await Put(engine, 2, 1, "b", "2");   // this record gets damaged
            await Put(engine, 1, 2, "c", "3");
            await Put(engine, 3, 1, "d", "4");
        }
        var path = SegmentPaths().Single();
        var bytes = File.ReadAllBytes(path);
        var damagedOffset = SegmentFormat.HeaderSize + RecordCodec.FrameSize(1, 0, 1);
        bytes[damagedOffset + RecordCodec.HeaderSize + 6] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            var load = () => engine.LoadPartitionAsync(2).AsTask();
            var error = (await load.Should().ThrowAsync<StorageException>()).Which;
            error.Kind.Should().Be(StorageErrorKind.Corrupt);
            error.Message.Should().Contain("Partition 2 is corrupt").And.Contain(path).And.Contain($"offset {damagedOffset}").And.Contain("repair = on");
            // Partitions the damage does not touch load in full, including records after the damage.
            AsText(await engine.LoadPartitionAsync(1)).Keys.Should().BeEquivalentTo("a", "c");
            AsText(await engine.LoadPartitionAsync(3)).Keys.Should().BeEquivalentTo("d");
            engine.ListPartitions().Should().Contain(2);
        }
        var logger = new CapturingLogger();
        await using (var engine = FileStorageEngine.Open(Settings(repair: true), logger))
        {
            AsText(await engine.LoadPartitionAsync(1)).Keys.Should().BeEquivalentTo("a");
            (await engine.LoadPartitionAsync(2)).Entries.Should().BeEmpty();
            logger.Warnings.Should().ContainSingle(w => w.Contains("Repair"));
        }
    }

    [Fact]
    public async Task An_unfinished_snapshot_left_by_a_crash_is_ignored_and_removed()
    {
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            await Put(engine, 4, 1, "a", "1");
            await engine.SaveSnapshotAsync(4, 1, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance) { [Bytes.Of("a")] = Bytes.Of("1") });
            await Put(engine, 4, 2, "b", "2");
        }
        var snapshots = Path.Combine(_dir.Path, "snapshots");
        var temp = Path.Combine(snapshots, SnapshotFormat.FileName(4, 2)[..^SnapshotFormat.Extension.Length] + SnapshotFormat.TempExtension);
        File.WriteAllBytes(temp, [1, 2, 3]);
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            AsText(await engine.LoadPartitionAsync(4)).Should().Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        }
        File.Exists(temp).Should().BeFalse();
    }

    [Fact]
    public async Task A_corrupt_snapshot_refuses_the_partition()
    {
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            await engine.SaveSnapshotAsync(4, 7, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance) { [Bytes.Of("a")] = Bytes.Of("value") });
        }
        var file = Directory.GetFiles(Path.Combine(_dir.Path, "snapshots")).Single();
        var bytes = File.ReadAllBytes(file);
        bytes[^6] ^= 0x20;
        File.WriteAllBytes(file, bytes);
        await using var reopened = FileStorageEngine.Open(Settings());
        var load = () => reopened.LoadPartitionAsync(4).AsTask();
        (await load.Should().ThrowAsync<StorageException>()).Which.Message.Should().Contain(file);
    }

    [Fact]
    public async Task Segments_rotate_at_the_size_and_are_deleted_once_snapshots_cover_them()
    {
        var settings = Settings(segmentSize: 4096);
        var value = new string('v', 100);
        await using (var engine = FileStorageEngine.Open(settings))
        {
            for (var seq = 1; seq <= 200; seq++)
            {
                await Put(engine, 1, seq, $"k{seq % 10}", value);
                await Put(engine, 2, seq, $"k{seq}", value);
            }
            var before = engine.SegmentIndexes;
            before.Count.Should().BeGreaterThan(5);
            SegmentPaths().Should().OnlyContain(p => new FileInfo(p).Length <= 4096);

            (await engine.ReadSinceAsync(1, 0)).Records.Select(r => r.Seq).Should().Equal(Enumerable.Range(1, 200).Select(i => (long)i));

            // Partition 1's snapshot alone frees nothing: partition 2 still needs every segment.
            var p1 = await engine.LoadPartitionAsync(1);
            await engine.SaveSnapshotAsync(1, 200, p1.Entries);
            engine.SegmentIndexes.Should().Equal(before);

            var p2 = await engine.LoadPartitionAsync(2);
            await engine.SaveSnapshotAsync(2, 150, p2.Entries.Where(e => int.Parse(Bytes.Text(e.Key)[1..]) <= 150).ToDictionary(ByteArrayComparer.Instance));
            var after = engine.SegmentIndexes;
            after.Count.Should().BeLessThan(before.Count);
            after[^1].Should().Be(before[^1]);

            (await engine.ReadSinceAsync(2, 10)).Compacted.Should().BeTrue();
            var tail = await engine.ReadSinceAsync(2, 190);
            tail.Compacted.Should().BeFalse();
            tail.Records.Select(r => r.Seq).Should().Equal(Enumerable.Range(191, 10).Select(i => (long)i));
            (await engine.ReadSinceAsync(2, 190, maxRecords: 3)).Records.Should().HaveCount(3);
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            var p2 = await engine.LoadPartitionAsync(2);
            p2.LastSeq.Should().Be(200);
            p2.Entries.Should().HaveCount(200);
            (await engine.LoadPartitionAsync(1)).Entries.Should().HaveCount(10);
        }
    }

    /// <summary>
    /// A snapshot saved with the log kept after the previous one: a replica a little behind the new snapshot still
    /// catches up from the log, and compaction keeps the segments that holds; after a restart only the log after the
    /// snapshot counts again.
    /// </summary>
    [Fact]
    public async Task A_snapshot_can_keep_the_log_after_the_previous_one_readable_for_catch_up()
    {
        var settings = Settings(segmentSize: 4096);
        var value = new string('v', 100);
        await using (var engine = FileStorageEngine.Open(settings))
        {
            for (var seq = 1; seq <= 200; seq++)
                await Put(engine, 2, seq, $"k{seq}", value);
            var state = (await engine.LoadPartitionAsync(2)).Entries.Where(e => int.Parse(Bytes.Text(e.Key)[1..]) <= 150).ToDictionary(ByteArrayComparer.Instance);
            var before = engine.SegmentIndexes.Count;

            await engine.SaveSnapshotAsync(2, 150, state, keepLogAfter: 100);
            engine.SegmentIndexes.Count.Should().BeLessThan(before, "segments with nothing after seq 100 go");
            (await engine.ReadSinceAsync(2, 120)).Records.Select(r => r.Seq).Should().Equal(Enumerable.Range(121, 80).Select(i => (long)i));
            (await engine.ReadSinceAsync(2, 100)).Records.Should().HaveCount(100);
            (await engine.ReadSinceAsync(2, 99)).Compacted.Should().BeTrue();
            (await engine.LoadPartitionAsync(2)).Records.Select(r => r.Seq).Should().Equal(Enumerable.Range(151, 50).Select(i => (long)i), "recovery starts after the snapshot");

            await engine.SaveSnapshotAsync(2, 180, state, keepLogAfter: 150);
            (await engine.ReadSinceAsync(2, 120)).Compacted.Should().BeTrue("the next snapshot keeps only the log after its predecessor");
            (await engine.ReadSinceAsync(2, 150)).Records.Should().HaveCount(50);
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            (await engine.ReadSinceAsync(2, 150)).Compacted.Should().BeTrue("a restart keeps only the log after the snapshot");
            (await engine.ReadSinceAsync(2, 180)).Records.Should().HaveCount(20);
        }
    }

    [Fact]
    public async Task Dropping_a_partition_forgets_it_and_frees_its_segments()
    {
        var settings = Settings(segmentSize: 4096);
        await using (var engine = FileStorageEngine.Open(settings))
        {
            for (var seq = 1; seq <= 100; seq++) await Put(engine, 9, seq, $"k{seq}", new string('x', 100));
            await engine.SaveSnapshotAsync(9, 50, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance) { [Bytes.Of("s")] = Bytes.Of("s") });
            var segments = engine.SegmentIndexes.Count;
            await engine.DropPartitionAsync(9);
            engine.ListPartitions().Should().NotContain(9);
            engine.SegmentIndexes.Count.Should().BeLessThan(segments);
            Directory.GetFiles(Path.Combine(_dir.Path, "snapshots")).Should().BeEmpty();
            // Nothing of the partition is left to catch up from, and nothing was compacted away that still counts.
            (await engine.ReadSinceAsync(9, 0)).Should().BeEquivalentTo(CatchUpResult.Of([]));
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            engine.ListPartitions().Should().NotContain(9);
            (await engine.LoadPartitionAsync(9)).Entries.Should().BeEmpty();
            // Taking the partition back: a fresh snapshot and new records, none of the old ones.
            await engine.SaveSnapshotAsync(9, 500, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance) { [Bytes.Of("new")] = Bytes.Of("1") });
            await Put(engine, 9, 501, "newer", "2");
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            var s = await engine.LoadPartitionAsync(9);
            AsText(s).Should().Equal(new Dictionary<string, string> { ["new"] = "1", ["newer"] = "2" });
            s.LastSeq.Should().Be(501);
        }
    }

    [Fact]
    public async Task Concurrent_appenders_across_partitions_all_land()
    {
        const int partitions = 16, perPartition = 300;
        await using (var engine = FileStorageEngine.Open(Settings(FsyncPolicy.Always, segmentSize: 64 << 10)))
        {
            await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Task.Run(async () =>
            {
                for (var seq = 1; seq <= perPartition; seq++) await Put(engine, p, seq, $"k{seq}", $"{p}:{seq}");
            })));
        }
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            engine.ListPartitions().Should().HaveCount(partitions);
            for (var p = 0; p < partitions; p++)
            {
                var s = await engine.LoadPartitionAsync(p);
                s.LastSeq.Should().Be(perPartition);
                s.Entries.Should().HaveCount(perPartition);
                Bytes.Text(s.Entries[Bytes.Of("k77")]).Should().Be($"{p}:77");
            }
        }
    }

    [Fact]
    public async Task Oversize_keys_and_values_are_refused_before_anything_is_logged()
    {
        // max-value-size is left at its default, 1 MiB.
        var settings = Settings() with { MaxKeySize = 16 };
        await using (var engine = FileStorageEngine.Open(settings))
        {
            var bigValue = () => engine.AppendAsync(1, 1, StorageOperation.Put(Bytes.Of("k"), new byte[(1 << 20) + 1])).AsTask();
            var e = (await bigValue.Should().ThrowAsync<StorageException>()).Which;
            e.Kind.Should().Be(StorageErrorKind.ValueTooLarge);
            e.Message.Should().Contain("exceeds kvactors.storage.max-value-size (1 MiB)");
            var bigKey = () => engine.AppendAsync(1, 1, StorageOperation.Delete(new byte[17])).AsTask();
            (await bigKey.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.KeyTooLarge);
        }
        await using (var engine = FileStorageEngine.Open(settings))
        {
            engine.ListPartitions().Should().BeEmpty();
        }
    }

    [Fact]
    public async Task A_full_disk_fails_the_append_clearly_and_leaves_the_log_readable()
    {
        var fs = new FaultyFileSystem();
        await using (var engine = FileStorageEngine.Open(Settings(FsyncPolicy.Always), fileSystem: fs))
        {
            await Put(engine, 1, 1, "a", "1");
            fs.FailAfter(10);
            var append = () => Put(engine, 1, 2, "b", "2");
            var e = (await append.Should().ThrowAsync<StorageException>()).Which;
            e.Kind.Should().Be(StorageErrorKind.DiskFull);
            e.Message.Should().Contain("full");
            fs.Heal();
            await Put(engine, 1, 3, "c", "3");

            fs.Error = () => new IOException("Input/output error", 5);
            fs.FailAfter(0);
            (await append.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.IoError);
        }
        var logger = new CapturingLogger();
        await using (var engine = FileStorageEngine.Open(Settings(), logger))
        {
            AsText(await engine.LoadPartitionAsync(1)).Should().Equal(new Dictionary<string, string> { ["a"] = "1", ["c"] = "3" });
            logger.Warnings.Should().BeEmpty();
        }
    }

    [Theory]
    [InlineData(FsyncPolicy.EverySec)]
    [InlineData(FsyncPolicy.Never)]
    [InlineData(FsyncPolicy.Always)]
    public async Task WriteAsync_logs_a_partitions_records_in_order_with_one_write(FsyncPolicy fsync)
    {
        var fs = new FaultyFileSystem();
        await using (var engine = FileStorageEngine.Open(Settings(fsync), fileSystem: fs))
        {
            await Put(engine, 1, 1, "a", "1");
            await Put(engine, 1, 2, "b", "stale");
            var before = fs.Writes;
            await engine.WriteAsync(1,
            [
                LogWrite.TruncateAfter(1),
                LogWrite.Append(2, StorageOperation.Put(Bytes.Of("b"), Bytes.Of("2")) with { Epoch = 3 }),
                LogWrite.Append(3, StorageOperation.Delete(Bytes.Of("a")) with { Epoch = 3 }),
                LogWrite.RecordMark(new ReplicaMark(3, 2)),
            ]);
            (fs.Writes - before).Should().Be(1, "the four records are one write to the log");
        }
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            var state = await engine.LoadPartitionAsync(1);
            state.Records.Select(r => (r.Seq, r.Kind, r.Epoch)).Should().Equal((1L, OperationKind.Put, 0L), (2L, OperationKind.Put, 3L), (3L, OperationKind.Delete, 3L));
            Bytes.Text(state.Records[1].Value.ToArray()).Should().Be("2", "the truncation before it voided the stale seq 2");
            state.Mark.Should().Be(new ReplicaMark(3, 2));
        }
    }

    [Fact]
    public async Task WriteAsync_with_an_oversize_operation_logs_none_of_its_records()
    {
        await using var engine = FileStorageEngine.Open(Settings() with { MaxValueSize = 8 });
        var write = async () => await engine.WriteAsync(1,
        [
            LogWrite.Append(1, StorageOperation.Put(Bytes.Of("a"), Bytes.Of("1"))),
            LogWrite.Append(2, StorageOperation.Put(Bytes.Of("b"), new byte[9])),
        ]);

        await write.Should().ThrowAsync<StorageException>();
        (await engine.LoadPartitionAsync(1)).Records.Should().BeEmpty();
    }

    [Fact]
    public async Task ReadSince_sees_records_of_the_active_segment()
    {
        await using var engine = FileStorageEngine.Open(Settings());
        for (var seq = 1; seq <= 5; seq++) await Put(engine, 3, seq, "k", $"{seq}");
        await engine.AppendAsync(3, 6, StorageOperation.Delete(Bytes.Of("k")));
        var r = await engine.ReadSinceAsync(3, 2);
        r.Records.Select(x => (x.Seq, x.Kind)).Should().Equal((3L, OperationKind.Put), (4L, OperationKind.Put), (5L, OperationKind.Put), (6L, OperationKind.Delete));
        Bytes.Text(r.Records[0].Value.ToArray()).Should().Be("3");
    }
}
