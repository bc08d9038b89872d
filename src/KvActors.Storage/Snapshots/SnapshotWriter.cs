using System.Buffers;
using System.Buffers.Binary;
using KvActors.Storage.Format;
using KvActors.Storage.Wal;

namespace KvActors.Storage.Snapshots;

/// <summary>
/// Writes a snapshot so that a crash at any moment leaves either the old snapshot or the new one, never half of one:
/// write to a .tmp file, fsync it, rename it over the final name, fsync the directory.
/// </summary>
internal static class SnapshotWriter
{
    // Below the large object heap's 85,000-byte threshold and rented: a snapshot is taken every few thousand commits
    // of each partition, and a fresh large buffer per snapshot set off a full (gen 2) collection every few of them.
    private const int ChunkSize = 64 * 1024;

    /// <returns>The path of the finished snapshot.</returns>
    /// <param name="expiries">The expiry (Unix ms) of each key that has one; null when none has.</param>
    public static string Write(string directory, SnapshotHeader header, ReadOnlySpan<byte> tag, IEnumerable<KeyValuePair<byte[], byte[]>> entries,
        IReadOnlyDictionary<byte[], long>? expiries = null)
    {
        var finalPath = Path.Combine(directory, SnapshotFormat.FileName(header.Partition, header.Seq));
        var tempPath = finalPath[..^SnapshotFormat.Extension.Length] + SnapshotFormat.TempExtension;
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                using var chunk = new ChunkedCrcWriter(stream, ChunkSize);
                Span<byte> head = stackalloc byte[SnapshotFormat.HeaderSize];
                SnapshotFormat.WriteHeader(head, header);
                chunk.Write(head);
                if (tag.Length != header.TagLength) throw new ArgumentException($"The snapshot tag is {tag.Length} bytes but its header says {header.TagLength}.");
                chunk.Write(tag);
                long written = 0;
                Span<byte> lengths = stackalloc byte[SnapshotFormat.EntryPrefixSize];
                foreach (var (key, value) in entries)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(lengths, key.Length);
                    BinaryPrimitives.WriteInt32LittleEndian(lengths[4..], value.Length);
                    BinaryPrimitives.WriteInt64LittleEndian(lengths[8..], expiries is not null && expiries.TryGetValue(key, out var at) ? at : 0);
                    chunk.Write(lengths);
                    chunk.Write(key);
                    chunk.Write(value);
                    written++;
                }
                if (written != header.EntryCount)
                    throw new InvalidOperationException($"The state of partition {header.Partition} changed while its snapshot was written ({header.EntryCount} entries expected, {written} seen).");
                chunk.Finish();
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, finalPath, overwrite: true);
            DirectorySync.Fsync(directory);
            return finalPath;
        }
        catch
        {
            try { File.Delete(tempPath); } catch (IOException) { /* recovery deletes .tmp files anyway */ }
            throw;
        }
    }

    /// <summary>Buffers writes into large chunks and keeps the running CRC32C; Finish appends the CRC.</summary>
    private sealed class ChunkedCrcWriter(Stream stream, int chunkSize) : IDisposable
    {
        private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        private int _used;
        private uint _crc;

        public void Write(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                var n = Math.Min(data.Length, _buffer.Length - _used);
                data[..n].CopyTo(_buffer.AsSpan(_used));
                _used += n;
                data = data[n..];
                if (_used == _buffer.Length) Drain();
            }
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

        public void Finish()
        {
            Drain();
            Span<byte> trailer = stackalloc byte[SnapshotFormat.TrailerSize];
            BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
            stream.Write(trailer);
        }

        private void Drain()
        {
            _crc = Crc32C.Append(_crc, _buffer.AsSpan(0, _used));
            stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
