using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Wire.Ring;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

/// <summary>A temporary data directory, deleted afterwards.</summary>
public sealed class TempDataDir : IDisposable
{
    public TempDataDir() => Path = Directory.CreateTempSubdirectory("kvactors-ring-").FullName;

    public string Path { get; }

    public string RingFile => RingPaths.RingFile(Path);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public sealed class RingFileTests : IDisposable
{
    private readonly TempDataDir _dir = new();
    private static readonly RingState Ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3).AtEpoch(42);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_written_ring_is_read_back_and_replaces_the_previous_one_without_leaving_a_temp_file()
    {
        RingFile.Write(_dir.RingFile, Ring.AtEpoch(41));
        RingFile.Write(_dir.RingFile, Ring);

        RingFile.Read(_dir.RingFile).Should().Be(new RingFile.ReadResult(Ring, null));
        Directory.GetFiles(Path.GetDirectoryName(_dir.RingFile)!).Select(Path.GetFileName).Should().Equal("current");
        _dir.RingFile.Should().Be(Path.Combine(_dir.Path, "ring", "current"));
    }

    [Fact]
    public void An_acceptor_record_is_read_back_and_a_damaged_one_is_none_with_the_reason()
    {
        var path = RingPaths.AcceptedFile(_dir.Path);
        RingFile.ReadAcceptor(path).Should().Be(new RingFile.AcceptorRead(null, null), "a missing file is no record");
        var record = new AcceptorRecord
        {
            Promised = new RingBallot(3, "127.0.0.1:2").ToProto(),
            Accepted = RingWire.ToProto(Ring),
            AcceptedBallot = new RingBallot(2, "127.0.0.1:1").ToProto(),
        };

        RingFile.WriteAcceptor(path, record);

        RingFile.ReadAcceptor(path).Record.Should().Be(record);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var damaged = RingFile.ReadAcceptor(path);
        damaged.Record.Should().BeNull();
        damaged.Problem.Should().Be($"The ring acceptor file {path} is unusable (its checksum does not match), so this node starts with no promise and no accepted ring; it answers the next manager's ballot afresh.");
    }

    [Fact]
    public void A_missing_file_is_no_ring_and_no_problem()
    {
        RingFile.Read(_dir.RingFile).Should().Be(new RingFile.ReadResult(null, null));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("not-a-ring")]
    [InlineData("truncated")]
    [InlineData("bit-flip")]
    [InlineData("version")]
    public void A_damaged_file_is_no_ring_with_the_reason(string damage)
    {
        RingFile.Write(_dir.RingFile, Ring);
        var bytes = File.ReadAllBytes(_dir.RingFile);
        bytes = damage switch
        {
            "empty" => [],
            "not-a-ring" => "hello, world, this is not a ring"u8.ToArray(),
            "truncated" => bytes[..^5],
            "bit-flip" => Flip(bytes, bytes.Length - 3),
            "version" => Flip(bytes, 4),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        File.WriteAllBytes(_dir.RingFile, bytes);

        var read = RingFile.Read(_dir.RingFile);

        read.Ring.Should().BeNull();
        read.Problem.Should().StartWith($"The ring file {_dir.RingFile} is damaged (").And.EndWith("reports no ring; the RingManager takes the ring from the other members.");
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x10;
        return copy;
    }
}
