namespace KvActors.Remote.Transport;

/// <summary>A decoded RemoteEnvelope whose payload still points into the receive buffer (valid until the frame is consumed).</summary>
internal readonly ref struct DecodedEnvelope(string recipient, string sender, int serializerId, string manifest, ReadOnlySpan<byte> payload)
{
    public readonly string Recipient = recipient;
    /// <summary>"" = no sender (proto3 default).</summary>
    public readonly string Sender = sender;
    public readonly int SerializerId = serializerId;
    public readonly string Manifest = manifest;
    public readonly ReadOnlySpan<byte> Payload = payload;
}

/// <summary>
/// Hand decoder for the RemoteEnvelope body: no message object, strings from the connection's
/// cache, payload as a span of the frame. It only takes inputs it is sure about: the five known
/// fields, unknown fields of the plain wire types (skipped, as protobuf does), last value wins.
/// Anything else (groups, a bad varint, truncation, invalid UTF-8, field number 0) returns
/// false and the caller uses the generated parser, so odd and broken inputs are accepted or
/// rejected exactly as protoc's code does.
/// </summary>
internal static class EnvelopeDecoder
{
    private const uint TagRecipient = (1 << 3) | 2, TagSender = (2 << 3) | 2, TagSerializer = 3 << 3,
        TagManifest = (4 << 3) | 2, TagPayload = (5 << 3) | 2;

    public static bool TryDecode(ReadOnlySpan<byte> body, Utf8StringCache strings, out DecodedEnvelope envelope)
    {
        envelope = default;
        string recipient = "", sender = "", manifest = "";
        var serializerId = 0;
        var payload = ReadOnlySpan<byte>.Empty;
        var pos = 0;
        while (pos < body.Length)
        {
            if (!TryReadVarint(body, ref pos, 5, out var tag) || tag > uint.MaxValue || tag >> 3 == 0) return false;
            switch ((uint)tag)
            {
                case TagRecipient:
                    if (!TryReadString(body, ref pos, strings, out recipient)) return false;
                    break;
                case TagSender:
                    if (!TryReadString(body, ref pos, strings, out sender)) return false;
                    break;
                case TagManifest:
                    if (!TryReadString(body, ref pos, strings, out manifest)) return false;
                    break;
                case TagSerializer:
                    // int32 on the wire is a varint of up to 10 bytes; protobuf keeps the low 32 bits.
                    if (!TryReadVarint(body, ref pos, 10, out var id)) return false;
                    serializerId = (int)id;
                    break;
                case TagPayload:
                    if (!TryReadLengthDelimited(body, ref pos, out payload)) return false;
                    break;
                default:
                    if (!TrySkip(body, ref pos, (uint)tag & 7)) return false;
                    break;
            }
        }
        envelope = new DecodedEnvelope(recipient, sender, serializerId, manifest, payload);
        return true;
    }

    private static bool TrySkip(ReadOnlySpan<byte> body, scoped ref int pos, uint wireType)
    {
        switch (wireType)
        {
            case 0: return TryReadVarint(body, ref pos, 10, out _);
            case 1: return Advance(body, ref pos, 8);
            case 2: return TryReadLengthDelimited(body, ref pos, out _);
            case 5: return Advance(body, ref pos, 4);
            default: return false; // groups and invalid wire types: the generated parser's business
        }
    }

    private static bool Advance(ReadOnlySpan<byte> body, scoped ref int pos, int n)
    {
        if (body.Length - pos < n) return false;
        pos += n;
        return true;
    }

    private static bool TryReadString(ReadOnlySpan<byte> body, scoped ref int pos, Utf8StringCache strings, out string value)
    {
        value = "";
        return TryReadLengthDelimited(body, ref pos, out var bytes) && strings.TryGet(bytes, out value);
    }

    private static bool TryReadLengthDelimited(ReadOnlySpan<byte> body, scoped ref int pos, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (!TryReadVarint(body, ref pos, 5, out var len) || len > (ulong)(body.Length - pos)) return false;
        bytes = body.Slice(pos, (int)len);
        pos += (int)len;
        return true;
    }

    /// <summary>A base-128 varint of at most <paramref name="maxBytes"/> bytes.</summary>
    internal static bool TryReadVarint(ReadOnlySpan<byte> body, scoped ref int pos, int maxBytes, out ulong value)
    {
        value = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            if (pos >= body.Length) return false;
            var b = body[pos++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80) return true;
        }
        return false;
    }
}
