using System.Buffers.Binary;
using KvActors.Storage.Format;

namespace KvActors.Storage.Snapshots;

/// <summary>What a snapshot holds besides its header: the caller's tag, every entry, and the expiry of those that have one.</summary>
internal sealed record SnapshotContents(byte[] Tag, Dictionary<byte[], byte[]> Entries, Dictionary<byte[], long> Expiries);

/// <summary>Reads and fully verifies a snapshot file; any mismatch is reported as corruption naming the file.</summary>
internal static class SnapshotReader
{
    public static bool TryReadHeader(string path, out SnapshotHeader header)
    {
        header = default;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            Span<byte> head = stackalloc byte[SnapshotFormat.HeaderSize];
            return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && SnapshotFormat.TryReadHeader(head, out header);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The snapshot's tag and entries; throws <see cref="StorageException"/> (Corrupt) if anything is off.</summary>
    public static SnapshotContents ReadContents(string path, SnapshotHeader expected)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20);
        var remaining = stream.Length - SnapshotFormat.HeaderSize - SnapshotFormat.TrailerSize;
        uint crc = 0;
        Span<byte> head = stackalloc byte[SnapshotFormat.HeaderSize];
        if (remaining < 0 || stream.ReadAtLeast(head, head.Length, false) != head.Length
            || !SnapshotFormat.TryReadHeader(head, out var header) || header != expected)
            throw Corrupt(path, 0, "bad header");
        crc = Crc32C.Append(crc, head);
        if (header.TagLength > remaining) throw Corrupt(path, stream.Position, "bad tag length");
        var tag = new byte[header.TagLength];
        stream.ReadExactly(tag);
        crc = Crc32C.Append(crc, tag);
        remaining -= tag.Length;

        var entries = new Dictionary<byte[], byte[]>(checked((int)Math.Min(header.EntryCount, remaining / SnapshotFormat.EntryPrefixSize)), ByteArrayComparer.Instance);
        var expiries = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
        Span<byte> lengths = stackalloc byte[SnapshotFormat.EntryPrefixSize];
        for (long i = 0; i < header.EntryCount; i++)
        {
            var at = stream.Position;
            if (remaining < SnapshotFormat.EntryPrefixSize) throw Corrupt(path, at, "truncated entry");
            stream.ReadExactly(lengths);
            crc = Crc32C.Append(crc, lengths);
            remaining -= SnapshotFormat.EntryPrefixSize;
            var keyLength = BinaryPrimitives.ReadInt32LittleEndian(lengths);
            var valueLength = BinaryPrimitives.ReadInt32LittleEndian(lengths[4..]);
            var expiresAtMs = BinaryPrimitives.ReadInt64LittleEndian(lengths[8..]);
            if (expiresAtMs < 0) throw Corrupt(path, at, "bad expiry");
            if (keyLength < 0 || valueLength < 0 || (long)keyLength + valueLength > remaining) throw Corrupt(path, at, "bad entry length");
            var key = new byte[keyLength];
            var value = new byte[valueLength];
            stream.ReadExactly(key);
            stream.ReadExactly(value);
            crc = Crc32C.Append(Crc32C.Append(crc, key), value);
            remaining -= keyLength + valueLength;
            entries[key] = value;
            if (expiresAtMs != 0) expiries[key] = expiresAtMs;
        }
        Span<byte> trailer = stackalloc byte[SnapshotFormat.TrailerSize];
        if (remaining != 0) throw Corrupt(path, stream.Position, "unexpected bytes after the entries");
        stream.ReadExactly(trailer);
        if (BinaryPrimitives.ReadUInt32LittleEndian(trailer) != crc) throw Corrupt(path, stream.Position - SnapshotFormat.TrailerSize, "bad CRC");
        return new SnapshotContents(tag, entries, expiries);
    }

    private static StorageException Corrupt(string path, long offset, string what) =>
        new(StorageErrorKind.Corrupt,
            $"Snapshot {path} is corrupt ({what} at offset {offset}); start with kvactors.storage.repair = on to ignore it and fall back to an older one.")
        { File = path, Offset = offset };
}
