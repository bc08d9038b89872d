using System.Buffers.Binary;
using System.Globalization;

namespace KvActors.Storage.Format;

/// <summary>
/// Segment files: <c>wal/{index:D20}.log</c>, starting with a 16-byte header (8-byte magic "KVWAL003", i64 index)
/// followed by record frames back to back. Indexes only grow, so name order is log order.
/// </summary>
public static class SegmentFormat
{
    public const int HeaderSize = 16;
    public const string Extension = ".log";
    internal static ReadOnlySpan<byte> Magic => "KVWAL003"u8;
    internal static ReadOnlySpan<byte> MagicFamily => "KVWAL"u8;

    public static string FileName(long index) => index.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    public static bool TryParseFileName(string fileName, out long index)
    {
        index = 0;
        return fileName.Length == 20 + Extension.Length && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    public static void WriteHeader(Span<byte> destination, long index)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], index);
    }

    public static bool IsValidHeader(ReadOnlySpan<byte> data, long index) =>
        data.Length >= HeaderSize && data[..8].SequenceEqual(Magic) && BinaryPrimitives.ReadInt64LittleEndian(data[8..]) == index;

    /// <summary>The error for a segment written in another format version, or null.</summary>
    internal static StorageException? CheckVersion(ReadOnlySpan<byte> head, string path) =>
        FormatVersion.Check(head, MagicFamily, Magic, "Log segment", path);
}
