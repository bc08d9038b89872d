using Google.Protobuf;
using KvActors.Store.Replication;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Tests.Shards;

public sealed class SnapshotChunksTests
{
    private static ReplicationItem CatchUpWithSnapshot(int keys, int valueBytes, long seq = 40)
    {
        var data = Enumerable.Range(0, keys)
            .Select(i => new KeyValuePair<byte[], byte[]>(BitConverter.GetBytes(i), Enumerable.Repeat((byte)i, valueBytes).ToArray()))
            .ToArray();
        var snapshot = new ReplicaSnapshot(seq, 3, data, [new CompletedRequest(new RequestId("c", 9), new WriteResult(true), seq)]);
        var entries = new[] { new LogEntry(seq + 1, 3, new RequestId("c", 10), KvOperation.Put([1], [2])) };
        return StoreWire.ToItem(5, new CatchUpData(3, "127.0.0.1:4053", snapshot, seq, 3, entries, seq + 1, 77));
    }

    [Fact]
    public void A_small_item_or_one_without_a_snapshot_is_left_whole()
    {
        var small = CatchUpWithSnapshot(keys: 3, valueBytes: 10);
        SnapshotChunks.Split(small, 64 << 10).Should().ContainSingle().Which.Should().BeSameAs(small);

        var ack = StoreWire.ToItem(5, new PrepareAck(3, "127.0.0.1:4054", 10, 1));
        SnapshotChunks.Split(ack, 1).Should().ContainSingle().Which.Should().BeSameAs(ack);
    }

    [Fact]
    public void A_big_snapshot_goes_in_pieces_within_the_bound_and_is_joined_back_unchanged()
    {
        var item = CatchUpWithSnapshot(keys: 200, valueBytes: 1000);
        var pieces = SnapshotChunks.Split(item, 16 << 10);

        pieces.Count.Should().BeGreaterThan(10);
        pieces.Should().OnlyContain(p => p.CalculateSize() <= (16 << 10) + 2048, "each piece stays near the bound");
        pieces[^1].CatchUpData.Snapshot.ChunksBefore.Should().Be(pieces.Count - 1);

        var assembler = new SnapshotAssembler();
        foreach (var piece in pieces.SkipLast(1))
        {
            assembler.Accept(piece, out var problem).Should().BeNull();
            problem.Should().BeNull();
        }
        var whole = assembler.Accept(pieces[^1], out var last);
        last.Should().BeNull();
        whole.Should().NotBeNull();
        StoreWire.FromItem(whole!).Should().BeEquivalentTo(StoreWire.FromItem(item), o => o.ComparingByMembers<KvOperation>());
        assembler.Pending.Should().Be(0);
    }

    [Fact]
    public void A_lost_piece_drops_the_transfer_and_a_new_one_starts_over()
    {
        var pieces = SnapshotChunks.Split(CatchUpWithSnapshot(keys: 50, valueBytes: 1000), 8 << 10);
        var assembler = new SnapshotAssembler();

        assembler.Accept(pieces[0], out _).Should().BeNull();
        assembler.Accept(pieces[2], out var gap).Should().BeNull();
        gap.Should().Contain("does not continue");
        assembler.Accept(pieces[^1], out var orphan).Should().BeNull("its earlier pieces are incomplete");
        orphan.Should().Contain("without its");

        var retry = SnapshotChunks.Split(CatchUpWithSnapshot(keys: 50, valueBytes: 1000, seq: 41), 8 << 10);
        assembler.Accept(pieces[0], out _);
        foreach (var piece in retry.SkipLast(1))
            assembler.Accept(piece, out _).Should().BeNull();
        assembler.Accept(retry[^1], out _)!.CatchUpData.Snapshot.Data.Should().HaveCount(50, "a piece with index 0 starts a new transfer");
    }

    [Fact]
    public void The_log_sends_at_most_its_byte_bound_per_message_but_always_one_entry()
    {
        var log = new ReplicaLog();
        for (var seq = 1; seq <= 10; seq++)
            log.Append(new LogEntry(seq, 1, new RequestId("c", seq), KvOperation.Put([1], new byte[300])));

        log.Range(1, 100, maxBytes: 1000).Should().HaveCount(3);
        log.Range(1, 2, maxBytes: 1000).Should().HaveCount(2);
        log.Range(4, 100, maxBytes: 10).Should().ContainSingle().Which.Seq.Should().Be(4);
    }
}
