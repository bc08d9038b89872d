using KvActors.Storage.Wal;

namespace KvActors.Storage.Tests;

/// <summary>The mapped log segment (Linux): what it writes is in the file at once, and it leaves no reserved space behind.</summary>
public sealed class MappedLogFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string NewPath() => Path.Combine(_dir.Path, Guid.NewGuid().ToString("N") + ".log");

    /// <summary>
    /// Whether segments in <paramref name="directory"/> are mapped: on Linux, where its file system can reserve space and
    /// map files (ext4, xfs, btrfs and tmpfs can); elsewhere they are written positionally, and tests of the mapping hold
    /// nothing to check.
    /// </summary>
    internal static bool SegmentsAreMappedIn(string directory)
    {
        var probe = Path.Combine(directory, "probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var file = MappedLogFile.Create(probe, 1 << 20);
            return file is MappedLogFile;
        }
        finally
        {
            File.Delete(probe);
        }
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] ReadWhileOpen(string path, int length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    [Fact]
    public void Writes_past_several_reservation_steps_are_readable_at_once_and_the_file_ends_at_the_last_one()
    {
        if (!SegmentsAreMappedIn(_dir.Path)) return;
        var path = NewPath();
        var capacity = 4 * MappedLogFile.GrowStep;
        var file = MappedLogFile.Create(path, capacity);
        file.Should().BeOfType<MappedLogFile>();
        var expected = new MemoryStream();
        using (file)
        {
            var offset = 0L;
            for (var i = 0; offset + 70_000 <= capacity; i++)
            {
                var chunk = Pattern(50_000 + i % 20_000, i);
                file.Write(chunk, offset);
                expected.Write(chunk);
                offset += chunk.Length;
            }
            offset.Should().BeGreaterThan(3 * MappedLogFile.GrowStep);
            ReadWhileOpen(path, (int)offset).Should().Equal(expected.ToArray(), "a copy into the mapping is in the page cache");
        }
        File.ReadAllBytes(path).Should().Equal(expected.ToArray());
    }

    [Fact]
    public void A_dropped_tail_reads_as_zeros_and_later_writes_land_after_what_was_kept()
    {
        if (!SegmentsAreMappedIn(_dir.Path)) return;
        var path = NewPath();
        var first = Pattern(1000, 1);
        var torn = Pattern(500, 2);
        var next = Pattern(300, 3);
        using (var file = MappedLogFile.Create(path, MappedLogFile.GrowStep))
        {
            file.Write(first, 0);
            file.Write(torn, 1000);
            file.SetLength(1000);
            ReadWhileOpen(path, 1500)[1000..].Should().OnlyContain(b => b == 0);
            file.Write(next, 1000);
        }
        File.ReadAllBytes(path).Should().Equal(first.Concat(next));
    }

    [Fact]
    public void A_write_longer_than_the_mapping_goes_past_it_and_the_file_keeps_it_whole()
    {
        if (!SegmentsAreMappedIn(_dir.Path)) return;
        var path = NewPath();
        var header = Pattern(16, 4);
        var big = Pattern(3 * 4096, 5);
        using (var file = MappedLogFile.Create(path, 4096))
        {
            file.Write(header, 0);
            file.Write(big, header.Length);
        }
        File.ReadAllBytes(path).Should().Equal(header.Concat(big));
    }

    [Fact]
    public void The_real_file_system_refuses_to_create_a_segment_that_exists()
    {
        var path = NewPath();
        File.WriteAllBytes(path, [1, 2, 3]);
        FluentActions.Invoking(() => OsLogFileSystem.Instance.Create(path, 1 << 20)).Should().Throw<IOException>();
        File.ReadAllBytes(path).Should().Equal([1, 2, 3]);
    }
}
