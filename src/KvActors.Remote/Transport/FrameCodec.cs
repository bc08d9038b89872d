using System.Buffers;
using System.Buffers.Binary;

namespace KvActors.Remote.Transport;

/// <summary>What the byte after a frame's length says the body is.</summary>
public enum FrameKind : byte
{
    /// <summary>A RemoteEnvelope (wire.proto).</summary>
    Envelope = 1,
    /// <summary>A HandshakeMessage (handshake.proto).</summary>
    Handshake = 2,
}

/// <summary>
/// Frame layout: [uint32 big-endian L][kind byte][L-1 bytes body], 1 &lt;= L &lt;= maximum frame size.
/// Length-prefixing lets the reader slice whole frames out of the pipe without parsing them.
/// </summary>
public static class FrameCodec
{
    public const int LengthSize = 4;
    public const int HeaderSize = LengthSize + 1;

    public enum ReadStatus { NeedMore, Frame, Invalid }

    /// <summary>
    /// Slices one frame off the front of <paramref name="buffer"/> when it is complete. Invalid
    /// (with <paramref name="error"/>) for a zero or over-limit length or an unknown kind: the
    /// caller closes the connection, since the stream can no longer be trusted to be in sync.
    /// </summary>
    public static ReadStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameSize,
        out FrameKind kind, out ReadOnlySequence<byte> body, out string? error)
    {
        kind = default;
        body = default;
        error = null;
        if (buffer.Length < LengthSize) return ReadStatus.NeedMore;
        uint length;
        if (buffer.FirstSpan.Length >= LengthSize) length = BinaryPrimitives.ReadUInt32BigEndian(buffer.FirstSpan);
        else
        {
            Span<byte> tmp = stackalloc byte[LengthSize];
            buffer.Slice(0, LengthSize).CopyTo(tmp);
            length = BinaryPrimitives.ReadUInt32BigEndian(tmp);
        }
        if (length == 0 || length > (uint)maxFrameSize)
        {
            error = $"frame length {length} outside 1..{maxFrameSize}";
            return ReadStatus.Invalid;
        }
        if (buffer.Length < LengthSize + length) return ReadStatus.NeedMore;
        var k = buffer.Slice(LengthSize, 1).FirstSpan[0];
        if (k is not ((byte)FrameKind.Envelope or (byte)FrameKind.Handshake))
        {
            error = $"unknown frame kind {k}";
            return ReadStatus.Invalid;
        }
        kind = (FrameKind)k;
        body = buffer.Slice(HeaderSize, length - 1);
        buffer = buffer.Slice(LengthSize + length);
        return ReadStatus.Frame;
    }

    /// <summary>
    /// The same decision as the sequence overload for a contiguous buffer (same checks, same
    /// errors); <paramref name="consumed"/> is the whole frame's size. The read loop uses it for
    /// the frames that lie inside one pipe segment, which is nearly all of them.
    /// </summary>
    public static ReadStatus TryRead(ReadOnlySpan<byte> buffer, int maxFrameSize,
        out FrameKind kind, out ReadOnlySpan<byte> body, out int consumed, out string? error)
    {
        kind = default;
        body = default;
        consumed = 0;
        error = null;
        if (buffer.Length < LengthSize) return ReadStatus.NeedMore;
        var length = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        if (length == 0 || length > (uint)maxFrameSize)
        {
            error = $"frame length {length} outside 1..{maxFrameSize}";
            return ReadStatus.Invalid;
        }
        if ((uint)(buffer.Length - LengthSize) < length) return ReadStatus.NeedMore;
        var k = buffer[LengthSize];
        if (k is not ((byte)FrameKind.Envelope or (byte)FrameKind.Handshake))
        {
            error = $"unknown frame kind {k}";
            return ReadStatus.Invalid;
        }
        kind = (FrameKind)k;
        body = buffer.Slice(HeaderSize, (int)length - 1);
        consumed = LengthSize + (int)length;
        return ReadStatus.Frame;
    }

    /// <summary>Writes a whole frame (header + body) to <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, FrameKind kind, ReadOnlySpan<byte> body)
    {
        var span = writer.GetSpan(HeaderSize + body.Length);
        WriteHeader(span, kind, body.Length);
        body.CopyTo(span[HeaderSize..]);
        writer.Advance(HeaderSize + body.Length);
    }

    public static void WriteHeader(Span<byte> destination, FrameKind kind, int bodyLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(bodyLength + 1));
        destination[LengthSize] = (byte)kind;
    }
}
