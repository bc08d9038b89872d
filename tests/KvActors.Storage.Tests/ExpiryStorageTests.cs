using KvActors.Storage.Engine;
using KvActors.Storage.Format;

namespace KvActors.Storage.Tests;

/// <summary>Expiries (KVWAL003 / KVSNAP03) are kept with records and snapshot entries, and Noop records keep their seq.</summary>
public sealed class ExpiryStorageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private StorageSettings Settings() => new() { DataDir = _dir.Path, Fsync = FsyncPolicy.Never };

    public static TheoryData<string> Engines => new() { "file", "memory" };

    [Fact]
    public void A_record_frame_round_trips_its_expiry()
    {
        var frame = new byte[RecordCodec.FrameSize(1, 2, 3)];
        RecordCodec.Encode(frame, 4, 9, OperationKind.Put, 2, Bytes.Of("k"), Bytes.Of("tg"), Bytes.Of("val"), expiresAtMs: 1_800_000_000_123);
        RecordCodec.TryDecode(frame, out var f).Should().Be(FrameStatus.Valid);
        (f.Kind, f.Seq, f.Epoch, f.ExpiresAtMs).Should().Be((OperationKind.Put, 9L, 2L, 1_800_000_000_123L));
        frame.AsSpan(f.ValueOffset, f.ValueLength).ToArray().Should().Equal(Bytes.Of("val"));
    }

    [Fact]
    public async Task Log_records_keep_expiry_and_noops_across_a_restart()
    {
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            await engine.AppendAsync(2, 1, new StorageOperation(OperationKind.Put, Bytes.Of("a"), Bytes.Of("1"), 1, Bytes.Of("t1"), 1_700_000_000_000));
            await engine.AppendAsync(2, 2, new StorageOperation(OperationKind.Noop, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 1, Bytes.Of("t2")));
            await engine.AppendAsync(2, 3, StorageOperation.Put(Bytes.Of("b"), Bytes.Of("2")));
        }
        await using (var engine = FileStorageEngine.Open(Settings()))
        {
            var state = await engine.LoadPartitionAsync(2);
            state.Records.Select(r => (r.Seq, r.Kind, r.ExpiresAtMs)).Should().Equal(
                (1L, OperationKind.Put, 1_700_000_000_000L), (2L, OperationKind.Noop, 0L), (3L, OperationKind.Put, 0L));
            Bytes.Text(state.Records[1].Tag.ToArray()).Should().Be("t2");
            var since = await engine.ReadSinceAsync(2, 0);
            since.Records.Select(r => r.ExpiresAtMs).Should().Equal(1_700_000_000_000L, 0L, 0L);
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_snapshot_keeps_each_keys_expiry(string kind)
    {
        var state = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance) { [Bytes.Of("ttl")] = Bytes.Of("1"), [Bytes.Of("plain")] = Bytes.Of("2") };
        var expiries = new Dictionary<byte[], long>(ByteArrayComparer.Instance) { [Bytes.Of("ttl")] = 1_900_000_000_000 };
        var memory = new InMemoryStorageEngine();
        await using (IStorageEngine engine = kind == "file" ? FileStorageEngine.Open(Settings()) : memory)
            await engine.SaveSnapshotAsync(7, 5, state, epoch: 3, expiries: expiries);
        await using IStorageEngine reopened = kind == "file" ? FileStorageEngine.Open(Settings()) : memory;
        var loaded = await reopened.LoadPartitionAsync(7);
        loaded.SnapshotEntries.Should().HaveCount(2);
        loaded.SnapshotExpiries.Should().ContainSingle();
        loaded.SnapshotExpiries[Bytes.Of("ttl")].Should().Be(1_900_000_000_000);
    }

    [Fact]
    public async Task Only_a_put_may_carry_an_expiry()
    {
        await using var engine = new InMemoryStorageEngine();
        var append = () => engine.AppendAsync(1, 1, new StorageOperation(OperationKind.Delete, Bytes.Of("k"), ReadOnlyMemory<byte>.Empty, 0, default, 5)).AsTask();
        await append.Should().ThrowAsync<ArgumentException>();
    }
}
