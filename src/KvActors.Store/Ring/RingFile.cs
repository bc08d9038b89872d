using System.Buffers.Binary;
using Google.Protobuf;
using KvActors.Storage.Format;
using KvActors.Storage.Wal;
using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Ring;

namespace KvActors.Store.Ring;

/// <summary>
/// The keeper's files: <see cref="RingPaths.RingFile"/>, the last ring a node applied, so that a new RingManager can
/// start from the highest ring the cluster knows even after a full restart; and <see cref="RingPaths.AcceptedFile"/>,
/// its promise and the proposed ring it accepted (<see cref="AcceptorRecord"/>). Layout: "KVRG", a format version (1),
/// the payload's length and its CRC-32C (each 4 bytes, little-endian), then the payload, a <see cref="RingMap"/> or an
/// <see cref="AcceptorRecord"/>. Written to a temp file, fsynced, renamed over the old file, and the directory fsynced:
/// a crash leaves the old content or the new one.
/// </summary>
public static class RingFile
{
    private static ReadOnlySpan<byte> Magic => "KVRG"u8;
    private const int Version = 1;
    private const int HeaderSize = 16;

    /// <summary>What a read found: a ring, nothing (<see cref="Ring"/> and <see cref="Problem"/> both null), or a damaged file and why.</summary>
    public readonly record struct ReadResult(RingState? Ring, string? Problem);

    /// <summary>What a read of the accepted file found: the record, nothing (both null), or a damaged file and why.</summary>
    public readonly record struct AcceptorRead(AcceptorRecord? Record, string? Problem);

    public static void Write(string path, RingState ring) => WritePayload(path, RingWire.ToProto(ring).ToByteArray());

    public static void WriteAcceptor(string path, AcceptorRecord record) => WritePayload(path, record.ToByteArray());

    /// <summary>The record in the file at <paramref name="path"/>; a missing file is none, a damaged one none with the reason.</summary>
    public static AcceptorRead ReadAcceptor(string path)
    {
        var (payload, why) = ReadPayload(path);
        if (payload is null) return new AcceptorRead(null, why is null ? null : DamagedAcceptor(path, why));
        try
        {
            var record = AcceptorRecord.Parser.ParseFrom(payload);
            if (record.Accepted is not null) RingWire.FromProto(record.Accepted); // a ring that does not convert is damage
            RingWire.FromProto(record.AcceptedReplaces);
            return new AcceptorRead(record, null);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
        {
            return new AcceptorRead(null, DamagedAcceptor(path, e.Message.TrimEnd('.')));
        }
    }

    private static void WritePayload(string path, byte[] payload)
    {
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
        var (payload, why) = ReadPayload(path);
        if (payload is null) return why is null ? new ReadResult(null, null) : Damaged(path, why);
        try
        {
            return new ReadResult(RingWire.FromProto(RingMap.Parser.ParseFrom(payload)), null);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
        {
            return Damaged(path, e.Message.TrimEnd('.'));
        }
    }

    /// <summary>The checked payload of the file, or null with why it is damaged (no reason: a missing file).</summary>
    private static (byte[]? Payload, string? Problem) ReadPayload(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, null);
        }
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
            return (null, "it does not start with a ring header");
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        if (version != Version)
            return (null, $"it has format version {version}, this node reads {Version}");
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (length != bytes.Length - HeaderSize)
            return (null, $"its header announces {length} bytes of ring but {bytes.Length - HeaderSize} follow");
        var payload = bytes.AsSpan(HeaderSize);
        if (Crc32C.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)))
            return (null, "its checksum does not match");
        return (payload.ToArray(), null);
    }

    /// <summary>A damaged accepted file: the node keeps its applied ring but has no promise and no accepted ring.</summary>
    private static string DamagedAcceptor(string path, string why) =>
        $"The ring acceptor file {path} is unusable ({why}), so this node starts with no promise and no accepted ring; it answers the next manager's ballot afresh.";

    private static ReadResult Damaged(string path, string why) =>
        new(null, $"The ring file {path} is damaged ({why}), so this node reports no ring; the RingManager takes the ring from the other members.");
}
