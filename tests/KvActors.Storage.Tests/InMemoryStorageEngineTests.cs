using KvActors.Storage.Engine;

namespace KvActors.Storage.Tests;

public class InMemoryStorageEngineTests
{
    [Fact]
    public async Task Behaves_like_the_contract()
    {
        await using var engine = new InMemoryStorageEngine(maxKeySize: 8);
        await engine.AppendAsync(1, 1, StorageOperation.Put(Bytes.Of("a"), Bytes.Of("1")));
        await engine.AppendAsync(1, 2, StorageOperation.Put(Bytes.Of("b"), Bytes.Of("2")));
        await engine.AppendAsync(1, 3, StorageOperation.Delete(Bytes.Of("a")));
        var s = await engine.LoadPartitionAsync(1);
        s.LastSeq.Should().Be(3);
        s.Entries.Keys.Select(Bytes.Text).Should().BeEquivalentTo("b");
        (await engine.ReadSinceAsync(1, 1)).Records.Select(r => r.Seq).Should().Equal(2, 3);
        await engine.SaveSnapshotAsync(1, 3, s.Entries);
        (await engine.ReadSinceAsync(1, 1)).Compacted.Should().BeTrue();
        var tooBig = () => engine.AppendAsync(1, 4, StorageOperation.Delete(new byte[9])).AsTask();
        await tooBig.Should().ThrowAsync<StorageException>();
        await engine.DropPartitionAsync(1);
        engine.ListPartitions().Should().BeEmpty();
    }

    [Fact]
    public async Task Truncates_a_tail_keeps_the_highest_mark_and_keeps_later_records_past_a_snapshot()
    {
        await using var engine = new InMemoryStorageEngine();
        for (var seq = 1; seq <= 5; seq++) await engine.AppendAsync(2, seq, new StorageOperation(OperationKind.Put, Bytes.Of($"k{seq}"), Bytes.Of("old"), 1));
        await engine.RecordMarkAsync(2, new ReplicaMark(1, 3));
        await engine.RecordMarkAsync(2, new ReplicaMark(2, 2));
        await engine.TruncateAfterAsync(2, 3);
        await engine.AppendAsync(2, 4, new StorageOperation(OperationKind.Put, Bytes.Of("k4"), Bytes.Of("new"), 2, Bytes.Of("t")));
        await engine.SaveSnapshotAsync(2, 3, new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance), epoch: 1, tag: Bytes.Of("s"));

        var s = await engine.LoadPartitionAsync(2);
        (s.SnapshotSeq, s.SnapshotEpoch, Bytes.Text(s.SnapshotTag.ToArray()), s.Mark).Should().Be((3L, 1L, "s", new ReplicaMark(2, 3)));
        s.Records.Select(r => (r.Seq, Bytes.Text(r.Value.ToArray()), r.Epoch, Bytes.Text(r.Tag.ToArray()))).Should().Equal((4L, "new", 2L, "t"));
        s.LastSeq.Should().Be(4);
        (await engine.ReadSinceAsync(2, 3)).Records.Select(r => r.Seq).Should().Equal(4);
        (await engine.ReadSinceAsync(2, 2)).Compacted.Should().BeTrue();
    }
}
