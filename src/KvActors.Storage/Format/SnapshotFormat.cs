using System.Buffers.Binary;
using System.Globalization;

namespace KvActors.Storage.Format;

/// <summary>
/// Snapshot files: <c>snapshots/{partition:D10}-{seq:D20}.snap</c> (written first as <c>.snap.tmp</c>, then renamed).
/// Layout: 64-byte header (magic "KVSNAP03", i32 partition, i64 seq, i64 epoch, i64 log position, i64 mark epoch,
/// i64 mark commit point, i64 entry count, i32 tag length), the tag, then per entry i32 key length, i32 value length,
/// i64 expires-at (Unix ms, 0 = none), key, value; then a u32 CRC32C of every byte before it.
/// </summary>
public static class SnapshotFormat
{
    public const int HeaderSize = 64;
    public const int TrailerSize = 4;
    /// <summary>Per entry before its key: i32 key length, i32 value length, i64 expires-at.</summary>
    public const int EntryPrefixSize = 16;
    public const string Extension = ".snap";
    public const string TempExtension = ".snap.tmp";
    internal static ReadOnlySpan<byte> Magic => "KVSNAP03"u8;
    internal static ReadOnlySpan<byte> MagicFamily => "KVSNAP"u8;

    public static string FileName(int partition, long seq) =>
        partition.ToString("D10", CultureInfo.InvariantCulture) + "-" + seq.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    public static bool TryParseFileName(string fileName, out int partition, out long seq)
    {
        partition = 0;
        seq = 0;
        return fileName.Length == 10 + 1 + 20 + Extension.Length && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && fileName[10] == '-'
            && int.TryParse(fileName.AsSpan(0, 10), NumberStyles.None, CultureInfo.InvariantCulture, out partition)
            && long.TryParse(fileName.AsSpan(11, 20), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    public static void WriteHeader(Span<byte> destination, SnapshotHeader header)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], header.Partition);
        BinaryPrimitives.WriteInt64LittleEndian(destination[12..], header.Seq);
        BinaryPrimitives.WriteInt64LittleEndian(destination[20..], header.Epoch);
        BinaryPrimitives.WriteInt64LittleEndian(destination[28..], header.LogPosition);
        BinaryPrimitives.WriteInt64LittleEndian(destination[36..], header.Mark.Epoch);
        BinaryPrimitives.WriteInt64LittleEndian(destination[44..], header.Mark.CommitPoint);
        BinaryPrimitives.WriteInt64LittleEndian(destination[52..], header.EntryCount);
        BinaryPrimitives.WriteInt32LittleEndian(destination[60..], header.TagLength);
    }

    public static bool TryReadHeader(ReadOnlySpan<byte> data, out SnapshotHeader header)
    {
        header = default;
        if (data.Length < HeaderSize || !data[..8].SequenceEqual(Magic)) return false;
        header = new SnapshotHeader(
            BinaryPrimitives.ReadInt32LittleEndian(data[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[20..]),
            BinaryPrimitives.ReadInt64LittleEndian(data[28..]),
            new ReplicaMark(BinaryPrimitives.ReadInt64LittleEndian(data[36..]), BinaryPrimitives.ReadInt64LittleEndian(data[44..])),
            BinaryPrimitives.ReadInt64LittleEndian(data[52..]),
            BinaryPrimitives.ReadInt32LittleEndian(data[60..]));
        return header.EntryCount >= 0 && header.TagLength >= 0;
    }

    /// <summary>The error for a snapshot written in another format version, or null.</summary>
    internal static StorageException? CheckVersion(ReadOnlySpan<byte> head, string path) =>
        FormatVersion.Check(head, MagicFamily, Magic, "Snapshot", path);
}

/// <summary>
/// A snapshot's identity. <see cref="LogPosition"/> is where the log ended when it was taken: a Drop record at or
/// after it voids the snapshot, one before it does not; a Mark or Truncate record before it is covered by it (its
/// mark is in <see cref="Mark"/>). <see cref="Epoch"/> and the tag are the caller's, returned on load.
/// </summary>
public readonly record struct SnapshotHeader(int Partition, long Seq, long Epoch, long LogPosition, ReplicaMark Mark, long EntryCount, int TagLength);
