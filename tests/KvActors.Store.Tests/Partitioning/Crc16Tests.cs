using System.Text;
using KvActors.Store.Partitioning;

namespace KvActors.Store.Tests.Partitioning;

public sealed class Crc16Tests
{
    [Fact]
    public void Matches_the_XMODEM_check_value_for_123456789() =>
        Crc16.Compute("123456789"u8).Should().Be(0x31C3);

    [Fact]
    public void Is_zero_for_no_bytes() => Crc16.Compute([]).Should().Be(0);

    [Theory]
    [InlineData("A", 0x58E5)]
    [InlineData("\0", 0x0000)]
    public void Matches_a_bit_by_bit_reference_for_single_bytes(string text, int expected) =>
        Crc16.Compute(Encoding.ASCII.GetBytes(text)).Should().Be((ushort)expected);

    [Fact]
    public void Agrees_with_a_bit_by_bit_reference_on_every_short_input()
    {
        var random = new Random(1234);
        for (var i = 0; i < 500; i++)
        {
            var data = new byte[random.Next(0, 40)];
            random.NextBytes(data);
            Crc16.Compute(data).Should().Be(BitByBit(data));
        }
    }

    // The textbook shift-register form of the same CRC, without the lookup table.
    private static ushort BitByBit(byte[] data)
    {
        var crc = 0;
        foreach (var b in data)
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
        }
        return (ushort)crc;
    }
}
