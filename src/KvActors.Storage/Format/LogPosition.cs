namespace KvActors.Storage.Format;

/// <summary>
/// A point in the whole log as one comparable number: segment index in the high bits, byte offset in the low 40
/// (segments are far below 1 TiB). Lets "was this snapshot taken after that drop?" be a plain comparison.
/// </summary>
public static class LogPosition
{
    private const int OffsetBits = 40;
    public static long Of(long segment, long offset) => (segment << OffsetBits) | offset;
    public static long Segment(long position) => position >> OffsetBits;
    public static long Offset(long position) => position & ((1L << OffsetBits) - 1);
    public static long StartOf(long segment) => Of(segment, 0);
}
