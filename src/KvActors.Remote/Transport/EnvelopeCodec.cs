using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using KvActors.Remote.Protocol;
using KvActors.Remote.Serialization;

namespace KvActors.Remote.Transport;

/// <summary>An encoded frame in a pooled buffer, with the envelope it came from (for drop reports).</summary>
internal readonly struct OutboundFrame(byte[] buffer, int length, OutboundEnvelope envelope)
{
    public readonly byte[] Buffer = buffer;
    public readonly int Length = length;
    public readonly OutboundEnvelope Envelope = envelope;
    public void Release() => ArrayPool<byte>.Shared.Return(Buffer);
}

/// <summary>
/// RemoteEnvelope encoding. The hot path writes the protobuf fields by hand straight into a
/// pooled frame buffer (no RemoteEnvelope object, no ByteString copy); the bytes are exactly
/// what protoc's RemoteEnvelope would produce, and decoding uses the generated parser.
/// </summary>
internal static class EnvelopeCodec
{
    private const byte TagRecipient = (1 << 3) | 2, TagSender = (2 << 3) | 2, TagSerializer = (3 << 3) | 0,
        TagManifest = (4 << 3) | 2, TagPayload = (5 << 3) | 2;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch; // the serializer's output
    [ThreadStatic] private static byte[]? t_frame; // the encoded frame
    [ThreadStatic] private static (string? Key, byte[] Utf8)[]? t_utf8;
    private const int Utf8Slots = 64, MaxCachedChars = 1024;

    public enum Result { Ok, TooLarge, SerializationFailed }

    /// <summary>Encodes into a pooled buffer the caller owns (release with <see cref="OutboundFrame.Release"/>).</summary>
    public static Result Encode(in OutboundEnvelope env, SerializerRegistry registry, int maxFrameSize,
        out OutboundFrame frame, out string? error)
    {
        frame = default;
        var r = EncodeToScratch(env, registry, maxFrameSize, out var bytes, out error);
        if (r != Result.Ok) return r;
        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(buffer);
        frame = new OutboundFrame(buffer, bytes.Length, env);
        return Result.Ok;
    }

    /// <summary>
    /// Encodes the whole frame into this thread's scratch buffer: <paramref name="frame"/> is valid
    /// until the thread's next encode. The send path copies it straight into the association's
    /// batch, so no buffer is rented or returned per message.
    /// </summary>
    public static Result EncodeToScratch(in OutboundEnvelope env, SerializerRegistry registry, int maxFrameSize,
        out ReadOnlySpan<byte> frame, out string? error)
    {
        frame = default;
        error = null;
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        ISerializer serializer;
        string manifest;
        try
        {
            serializer = registry.FindFor(env.Message);
            manifest = serializer.ToBinary(env.Message, scratch);
        }
        catch (Exception e)
        {
            error = $"cannot serialize {env.Message.GetType().FullName} for {env.Recipient}: {e.Message}";
            return Result.SerializationFailed;
        }
        var payload = scratch.WrittenSpan;

        var recipient = Utf8Of(env.Recipient);
        var sender = env.Sender is null ? default : Utf8Of(env.Sender);
        var manifestBytes = Utf8Of(manifest);
        int recipientLen = recipient.Length, senderLen = sender.Length, manifestLen = manifestBytes.Length;
        long body = FieldSize(recipientLen) + FieldSize(senderLen) + FieldSize(manifestLen) + FieldSize(payload.Length)
                    + 1 + VarintSize((uint)serializer.Id);
        if (body + 1 > maxFrameSize)
        {
            error = $"message {env.Message.GetType().FullName} to {env.Recipient} is {body + 1} bytes framed, over the maximum frame size of {maxFrameSize} bytes (kvactors.remote.maximum-frame-size)";
            if (scratch.Capacity > 1 << 20) t_scratch = null; // do not pin a huge scratch buffer per thread
            return Result.TooLarge;
        }

        var total = FrameCodec.HeaderSize + (int)body;
        var buffer = t_frame is { } f && f.Length >= total ? f : GrowFrameScratch(total);
        var span = buffer.AsSpan(0, total);
        FrameCodec.WriteHeader(span, FrameKind.Envelope, (int)body);
        var pos = FrameCodec.HeaderSize;
        pos = WriteString(span, pos, TagRecipient, recipient);
        pos = WriteString(span, pos, TagSender, sender);
        span[pos++] = TagSerializer;
        pos += WriteVarint(span[pos..], (uint)serializer.Id);
        pos = WriteString(span, pos, TagManifest, manifestBytes);
        if (payload.Length > 0)
        {
            span[pos++] = TagPayload;
            pos += WriteVarint(span[pos..], (uint)payload.Length);
            payload.CopyTo(span[pos..]);
            pos += payload.Length;
        }
        if (scratch.Capacity > 1 << 20) t_scratch = null;
        frame = span[..pos];
        if (buffer.Length > 1 << 20) t_frame = null; // the span stays valid: only this call holds it now
        return Result.Ok;
    }

    private static byte[] GrowFrameScratch(int size) =>
        t_frame = new byte[Math.Max(size, Math.Min(2 * (t_frame?.Length ?? 512), 1 << 20))];

    /// <summary>Parses a RemoteEnvelope body; throws InvalidProtocolBufferException on garbage.</summary>
    public static RemoteEnvelope Decode(in ReadOnlySequence<byte> body) => RemoteEnvelope.Parser.ParseFrom(body);

    /// <summary>
    /// The receive path's decoder: the hand decoder when the body has the plain shape, else the
    /// generated parser (so garbage is rejected with the same message as always). False with
    /// <paramref name="error"/> when the body is not a valid RemoteEnvelope.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> body, Utf8StringCache strings, out DecodedEnvelope envelope, out string? error)
    {
        error = null;
        if (EnvelopeDecoder.TryDecode(body, strings, out envelope)) return true;
        RemoteEnvelope parsed;
        try { parsed = RemoteEnvelope.Parser.ParseFrom(body); }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            error = $"malformed envelope ({e.Message})";
            return false;
        }
        envelope = new DecodedEnvelope(parsed.Recipient, parsed.Sender, parsed.SerializerId, parsed.Manifest, parsed.Payload.Span);
        return true;
    }

    // proto3 omits empty strings/bytes; an empty field costs nothing.
    private static long FieldSize(int len) => len == 0 ? 0 : 1 + VarintSize((uint)len) + len;

    private static int WriteString(Span<byte> span, int pos, byte tag, ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return pos;
        span[pos++] = tag;
        pos += WriteVarint(span[pos..], (uint)utf8.Length);
        utf8.CopyTo(span[pos..]);
        return pos + utf8.Length;
    }

    /// <summary>
    /// UTF-8 of a path or manifest, cached per thread by string identity: senders pass the same
    /// path and manifest instances again and again, and counting plus transcoding them was a
    /// visible share of the send path. Direct-mapped, so a miss just re-encodes.
    /// </summary>
    private static ReadOnlySpan<byte> Utf8Of(string value)
    {
        if (value.Length == 0) return default;
        if (value.Length > MaxCachedChars) return Encoding.UTF8.GetBytes(value); // rare: not worth pinning per thread
        var table = t_utf8 ??= new (string?, byte[])[Utf8Slots];
        ref var slot = ref table[RuntimeHelpers.GetHashCode(value) & (Utf8Slots - 1)];
        if (!ReferenceEquals(slot.Key, value)) slot = (value, Encoding.UTF8.GetBytes(value));
        return slot.Utf8;
    }

    internal static int VarintSize(uint v) => v < 1u << 7 ? 1 : v < 1u << 14 ? 2 : v < 1u << 21 ? 3 : v < 1u << 28 ? 4 : 5;

    internal static int WriteVarint(Span<byte> span, uint v)
    {
        var i = 0;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i++] = (byte)v;
        return i;
    }
}
