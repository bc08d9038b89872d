using KvActors.Store.Shards;

namespace KvActors.Resp.Commands;

/// <summary>
/// SCAN's cursor: a partition and a position within it (<see cref="KeyScan"/>), written as one decimal number, the
/// partition in the bits above <see cref="KeyScan.PositionBits"/>. 0 is the start of partition 0, so a scan starts and
/// ends at 0 as in Redis. Every value fits in 62 bits (partitions below 2^14), so clients that hold a cursor as a
/// signed 64-bit integer read it correctly.
/// </summary>
public readonly record struct ScanCursor(int Partition, ulong After)
{
    private const ulong PositionMask = (1UL << KeyScan.PositionBits) - 1;

    public static readonly ScanCursor Start = new(0, 0);

    public ulong Value => ((ulong)Partition << KeyScan.PositionBits) | After;

    public static ScanCursor Of(ulong value) => new((int)Math.Min(value >> KeyScan.PositionBits, int.MaxValue), value & PositionMask);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
