using System.Buffers.Binary;
using Google.Protobuf;
using KvActors.Storage.Format;
using KvActors.Storage.Wal;
using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Ring;

namespace KvActors.Store.Ring;

/// <summary>
/// The keeper's file (<see cref="RingPaths.RingFile"/>): the last ring a node applied, so that a new RingManager can
/// start from the highest ring the cluster knows even after a full restart. Layout: "KVRG", a format version (1), the
/// payload's length and its CRC-32C (each 4 bytes, little-endian), then the payload, a <see cref="RingMap"/>. Written to
/// a temp file, fsynced, renamed over the old file, and the directory fsynced: a crash leaves the old ring or the new one.
/// </summary>
public static class RingFile
{
    private static ReadOnlySpan<byte> Magic => "KVRG"u8;
    private const int Version = 1;
    private const int HeaderSize = 16;

    /// <summary>What a read found: a ring, nothing (<see cref="Ring"/> and <see cref="Problem"/> both null), or a damaged file and why.</summary>
    public readonly record struct ReadResult(RingState? Ring, string? Problem);

    public static void Write(string path, RingState ring)
    {
        var payload = RingWire.ToProto(ring).ToByteArray();
        var bytes = new byte[HeaderSize + payload.Length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), Crc32C.Compute(payload));
        payload.CopyTo(bytes.AsSpan(HeaderSize));

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            OsLogFileSystem.Instance.FsyncDirectory(directory);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { /* the next write replaces it */ }
            throw;
        }
    }

    /// <summary>The ring in the file at <paramref name="path"/>. A missing file is no ring; a damaged one is no ring with the reason.</summary>
    public static ReadResult Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ReadResult(null, null);
        }
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
            return Damaged(path, "it does not start with a ring header");
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        if (version != Version)
            return Damaged(path, $"it has format version {version}, this node reads {Version}");
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (length != bytes.Length - HeaderSize)
            return Damaged(path, $"its header announces {length} bytes of ring but {bytes.Length - HeaderSize} follow");
        var payload = bytes.AsSpan(HeaderSize);
        if (Crc32C.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)))
            return Damaged(path, "its checksum does not match");
        try
        {
            return new ReadResult(RingWire.FromProto(RingMap.Parser.ParseFrom(payload)), null);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
        {
            return Damaged(path, e.Message.TrimEnd('.'));
        }
    }

    private static ReadResult Damaged(string path, string why) =>
        new(null, $"The ring file {path} is damaged ({why}), so this node reports no ring; the RingManager takes the ring from the other members.");
}
