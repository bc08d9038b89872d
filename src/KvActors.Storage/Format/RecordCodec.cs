using System.Buffers.Binary;

namespace KvActors.Storage.Format;

/// <summary>
/// Encodes and decodes one log record frame (layout in docs/storage.md):
/// <code>
/// header  0 u32 payload length N | 4 i32 partition | 8 i64 seq | 16 u32 CRC32C(payload) | 20 u32 CRC32C(header bytes 0..19)
/// payload 0 u8 kind | 1 i64 epoch | 9 i64 expires-at (Unix ms, 0 = none) | 17 u32 key length K | 21 u32 tag length T | 25 key | 25+K tag | 25+K+T value
/// </code>
/// The header has its own CRC so a damaged length never sends the reader off into the weeds, and the partition of a
/// record with a damaged payload is still known (only that partition is refused). Control records (Drop, Truncate,
/// Mark) carry no key, tag or value: their meaning is in the header's seq and the payload's epoch. A Noop takes a seq
/// (a replicated answer that changed nothing) and carries only its tag.
/// </summary>
public static class RecordCodec
{
    public const int HeaderSize = 24;
    public const int PayloadPrefixSize = 25;
    public const int MinimumFrameSize = HeaderSize + PayloadPrefixSize;

    public static int FrameSize(int keyLength, int tagLength, int valueLength) =>
        checked(HeaderSize + PayloadPrefixSize + keyLength + tagLength + valueLength);

    /// <summary>Writes one frame into <paramref name="destination"/> (exactly <see cref="FrameSize"/> bytes).</summary>
    public static void Encode(Span<byte> destination, int partition, long seq, OperationKind kind, long epoch,
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> value, long expiresAtMs = 0)
    {
        var payloadLength = PayloadPrefixSize + key.Length + tag.Length + value.Length;
        var payload = destination.Slice(HeaderSize, payloadLength);
        payload[0] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(payload[1..], epoch);
        BinaryPrimitives.WriteInt64LittleEndian(payload[9..], expiresAtMs);
        BinaryPrimitives.WriteInt32LittleEndian(payload[17..], key.Length);
        BinaryPrimitives.WriteInt32LittleEndian(payload[21..], tag.Length);
        key.CopyTo(payload[PayloadPrefixSize..]);
        tag.CopyTo(payload[(PayloadPrefixSize + key.Length)..]);
        value.CopyTo(payload[(PayloadPrefixSize + key.Length + tag.Length)..]);

        BinaryPrimitives.WriteInt32LittleEndian(destination, payloadLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], partition);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], seq);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Crc32C.Compute(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], Crc32C.Compute(destination[..20]));
    }

    /// <summary>
    /// Reads the frame at the start of <paramref name="data"/>. Returns <see cref="FrameStatus.Valid"/> with the decoded
    /// frame, or why it is not one. Never throws on bad input.
    /// </summary>
    public static FrameStatus TryDecode(ReadOnlySpan<byte> data, out RecordFrame frame)
    {
        frame = default;
        if (data.Length < HeaderSize) return FrameStatus.Truncated;
        if (Crc32C.Compute(data[..20]) != BinaryPrimitives.ReadUInt32LittleEndian(data[20..])) return FrameStatus.BadHeader;

        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(data);
        var partition = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        var seq = BinaryPrimitives.ReadInt64LittleEndian(data[8..]);
        // A header that passed its CRC but describes nonsense was written by a bug, not torn: treat like a bad payload.
        if (payloadLength < PayloadPrefixSize || payloadLength > int.MaxValue - HeaderSize)
        {
            frame = new RecordFrame(partition, seq, OperationKind.Put, 0, 0, 0, 0, int.MaxValue, 0);
            return FrameStatus.BadPayload;
        }
        frame = new RecordFrame(partition, seq, OperationKind.Put, 0, 0, 0, 0, HeaderSize + payloadLength, 0);
        if (data.Length - HeaderSize < payloadLength) return FrameStatus.Truncated;

        var payload = data.Slice(HeaderSize, payloadLength);
        if (Crc32C.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(data[16..])) return FrameStatus.BadPayload;
        var kind = (OperationKind)payload[0];
        var epoch = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
        var expiresAtMs = BinaryPrimitives.ReadInt64LittleEndian(payload[9..]);
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(payload[17..]);
        var tagLength = BinaryPrimitives.ReadInt32LittleEndian(payload[21..]);
        var valueLength = (long)payloadLength - PayloadPrefixSize - keyLength - tagLength;
        if (keyLength < 0 || tagLength < 0 || valueLength < 0) return FrameStatus.BadPayload;
        var isData = kind is OperationKind.Put or OperationKind.Delete or OperationKind.Noop;
        var isControl = kind is OperationKind.Drop or OperationKind.Truncate or OperationKind.Mark;
        if (!isData && !(isControl && payloadLength == PayloadPrefixSize)) return FrameStatus.BadPayload;
        frame = new RecordFrame(partition, seq, kind, epoch, keyLength, tagLength, (int)valueLength, HeaderSize + payloadLength, expiresAtMs);
        return FrameStatus.Valid;
    }
}

public enum FrameStatus
{
    Valid,
    /// <summary>The bytes end before the frame does.</summary>
    Truncated,
    /// <summary>The header CRC failed: length, partition and seq are all unknown.</summary>
    BadHeader,
    /// <summary>The header is sound (partition and seq known) but the payload failed its CRC.</summary>
    BadPayload,
}

/// <summary>A decoded frame's fields; key, tag and value are located relative to the frame start.</summary>
public readonly record struct RecordFrame(int Partition, long Seq, OperationKind Kind, long Epoch, int KeyLength, int TagLength, int ValueLength, int FrameLength, long ExpiresAtMs)
{
    public int KeyOffset => RecordCodec.HeaderSize + RecordCodec.PayloadPrefixSize;
    public int TagOffset => KeyOffset + KeyLength;
    public int ValueOffset => TagOffset + TagLength;
}
