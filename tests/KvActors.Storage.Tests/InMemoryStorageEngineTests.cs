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
}
