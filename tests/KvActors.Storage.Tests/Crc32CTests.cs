using FsCheck;
using FsCheck.Fluent;
using KvActors.Storage.Format;

namespace KvActors.Storage.Tests;

public class Crc32CTests
{
    // Published CRC-32C check values: the "123456789" check value of the Castagnoli CRC and the iSCSI test
    // patterns of RFC 3720, appendix B.4.
    public static TheoryData<byte[], uint> Vectors => new()
    {
        { "123456789"u8.ToArray(), 0xE3069283u },
        { new byte[32], 0x8A9136AAu },
        { Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43u },
        { Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794Eu },
        { Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5Cu },
        { Array.Empty<byte>(), 0u },
    };

    [Theory, MemberData(nameof(Vectors))]
    public void Matches_published_vectors(byte[] data, uint expected)
    {
        Crc32C.Compute(data).Should().Be(expected);
        Crc32C.ComputeSoftware(data).Should().Be(expected);
    }

    [Fact]
    public void Hardware_and_software_agree_and_append_composes() =>
        Prop.ForAll<byte[], byte[]>((a, b) =>
        {
            var whole = a.Concat(b).ToArray();
            return Crc32C.Compute(whole) == Crc32C.ComputeSoftware(whole)
                && Crc32C.Append(Crc32C.Compute(a), b) == Crc32C.Compute(whole);
        }).QuickCheckThrowOnFailure();
}
