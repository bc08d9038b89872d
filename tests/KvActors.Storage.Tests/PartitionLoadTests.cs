using KvActors.Storage.Engine;

namespace KvActors.Storage.Tests;

/// <summary>
/// Loading partitions after a restart: from the replay made at open, as empty when the log holds nothing of them, and
/// otherwise from passes over the log that many partitions share, always to the same state.
/// </summary>
public sealed class PartitionLoadTests : IDisposable
{
    private const int Partitions = 24;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private StorageSettings Settings() => new() { DataDir = _dir.Path, Fsync = FsyncPolicy.Never, SegmentSize = 4096 };

    private static Task Put(IStorageEngine e, int p, long seq, string key, string value) =>
        e.AppendAsync(p, seq, StorageOperation.Put(Bytes.Of(key), Bytes.Of(value))).AsTask();

    private static Dictionary<string, string> AsText(PartitionState s) => s.Entries.ToDictionary(e => Bytes.Text(e.Key), e => Bytes.Text(e.Value));

    /// <summary>Partition p: keys k1..k5 (k5 voided by a truncation in odd partitions), a snapshot in every third, p 7 dropped.</summary>
    private async Task WriteHistoryAsync()
    {
        await using var engine = FileStorageEngine.Open(Settings());
        for (var seq = 1; seq <= 5; seq++)
            for (var p = 0; p < Partitions; p++)
                await Put(engine, p, seq, $"k{seq}", $"p{p}-v{seq}" + new string('x', 60));
        for (var p = 0; p < Partitions; p++)
        {
            if (p % 2 == 1) await engine.TruncateAfterAsync(p, 4);
            if (p % 3 == 0)
                await engine.SaveSnapshotAsync(p, 2, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance)
                {
                    [Bytes.Of("k1")] = Bytes.Of($"p{p}-v1" + new string('x', 60)),
                    [Bytes.Of("k2")] = Bytes.Of($"p{p}-v2" + new string('x', 60)),
                });
            await engine.RecordMarkAsync(p, new ReplicaMark(3, 4));
        }
        await engine.DropPartitionAsync(7);
    }

    private static Dictionary<string, string> Expected(int p) =>
        p == 7 ? new() : Enumerable.Range(1, p % 2 == 1 ? 4 : 5).ToDictionary(i => $"k{i}", i => $"p{p}-v{i}" + new string('x', 60));

    [Fact]
    public async Task Partitions_touched_before_their_first_load_are_rebuilt_from_the_log_together_and_alike()
    {
        await WriteHistoryAsync();
        await using var engine = FileStorageEngine.Open(Settings());
        // A mark logged before a partition loads makes the replay kept from open stale: the log must be read again.
        for (var p = 0; p < Partitions; p++)
            if (p != 7) await engine.RecordMarkAsync(p, new ReplicaMark(4, 4));

        var states = await Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => engine.LoadPartitionAsync(p).AsTask()));

        for (var p = 0; p < Partitions; p++)
        {
            AsText(states[p]).Should().Equal(Expected(p), $"partition {p} should load as written");
            states[p].Mark.Should().Be(p == 7 ? ReplicaMark.None : new ReplicaMark(4, 4));
        }
        engine.ReplayPasses.Should().BeGreaterThan(0).And.BeLessThan(Partitions - 1, "partitions waiting at once share passes over the log");
    }

    [Fact]
    public async Task A_partition_with_nothing_on_disk_loads_empty_without_reading_the_log()
    {
        await WriteHistoryAsync();
        await using var engine = FileStorageEngine.Open(Settings());
        await engine.DropPartitionAsync(3);

        var dropped = await engine.LoadPartitionAsync(3);
        var droppedBefore = await engine.LoadPartitionAsync(7);
        var never = await engine.LoadPartitionAsync(99);

        foreach (var state in new[] { dropped, droppedBefore, never })
        {
            state.Entries.Should().BeEmpty();
            state.Records.Should().BeEmpty();
            state.Mark.Should().Be(ReplicaMark.None);
        }
        engine.ReplayPasses.Should().Be(0);
        AsText(await engine.LoadPartitionAsync(4)).Should().Equal(Expected(4), "the replay from open is still used");
        engine.ReplayPasses.Should().Be(0);
    }

    [Fact]
    public async Task A_partition_taken_back_after_a_drop_loads_only_what_was_logged_since()
    {
        await WriteHistoryAsync();
        await using var engine = FileStorageEngine.Open(Settings());
        await engine.DropPartitionAsync(6);
        await Put(engine, 6, 1, "fresh", "1");

        var state = await engine.LoadPartitionAsync(6);

        AsText(state).Should().Equal(new Dictionary<string, string> { ["fresh"] = "1" });
        state.SnapshotSeq.Should().Be(0, "the snapshot taken before the drop no longer counts");
    }

    [Fact]
    public async Task Many_drops_at_once_all_take_effect_and_share_compactions()
    {
        await WriteHistoryAsync();
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            var segments = engine.SegmentIndexes.Count;
            await Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => engine.DropPartitionAsync(p).AsTask()));

            engine.ListPartitions().Should().BeEmpty();
            engine.SegmentIndexes.Count.Should().BeLessThan(segments, "every record in the sealed segments is dropped");
            engine.CompactionRuns.Should().BeLessThanOrEqualTo(Partitions);
            Directory.GetFiles(Path.Combine(_dir.Path, "snapshots")).Should().BeEmpty();
        }
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            engine.ListPartitions().Should().BeEmpty();
            for (var p = 0; p < Partitions; p++) (await engine.LoadPartitionAsync(p)).Entries.Should().BeEmpty();
        }
    }
}
