namespace KvActors.Store.Partitioning;

/// <summary>
/// CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection, no final xor): the checksum
/// Redis Cluster hashes keys with, so a key lands in the same slot here as it would there.
/// </summary>
public static class Crc16
{
    private const ushort Polynomial = 0x1021;

    // One entry per value of the byte being shifted in: the 8 polynomial divisions done ahead of time.
    private static readonly ushort[] Table = BuildTable();

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var value = 0; value < 256; value++)
        {
            var crc = (ushort)(value << 8);
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ Polynomial) : (ushort)(crc << 1);
            table[value] = crc;
        }
        return table;
    }
}
