using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace KvActors.Resp.Protocol;

/// <summary>Writes <see cref="RespValue"/>s as RESP2 or RESP3 bytes into a buffer writer (a pipe's, or an array's in tests).</summary>
public static class RespReplyWriter
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    public static void Write(IBufferWriter<byte> output, RespValue value, RespVersion version)
    {
        if (ReferenceEquals(value, RespValue.Ok))
        {
            Raw(output, "+OK\r\n"u8); // every plain SET's reply: no encoding per reply
            return;
        }
        switch (value)
        {
            case RespValue.SimpleString s:
                Line(output, (byte)'+', OneLine(s.Text));
                break;
            case RespValue.ErrorReply e:
                Line(output, (byte)'-', OneLine(e.Text));
                break;
            case RespValue.IntegerReply i:
                Header(output, (byte)':', i.Value);
                break;
            case RespValue.BulkString b:
                Bulk(output, b.Bytes);
                break;
            case RespValue.VerbatimString v when version == RespVersion.Resp3:
                var text = Encoding.UTF8.GetBytes(v.Text);
                Header(output, (byte)'=', text.Length + 4);
                Raw(output, "txt:"u8);
                Raw(output, text);
                Raw(output, Crlf);
                break;
            case RespValue.VerbatimString v:
                Bulk(output, Encoding.UTF8.GetBytes(v.Text));
                break;
            case RespValue.NullReply n:
                if (version == RespVersion.Resp3) Raw(output, "_\r\n"u8);
                else Raw(output, n.IsArray ? "*-1\r\n"u8 : "$-1\r\n"u8);
                break;
            case RespValue.Array a:
                Header(output, (byte)'*', a.Items.Count);
                foreach (var item in a.Items) Write(output, item, version);
                break;
            case RespValue.Set s:
                Header(output, version == RespVersion.Resp3 ? (byte)'~' : (byte)'*', s.Items.Count);
                foreach (var item in s.Items) Write(output, item, version);
                break;
            case RespValue.Map m:
                if (version == RespVersion.Resp3) Header(output, (byte)'%', m.Entries.Count);
                else Header(output, (byte)'*', m.Entries.Count * 2L);
                foreach (var (k, v) in m.Entries)
                {
                    Write(output, k, version);
                    Write(output, v, version);
                }
                break;
            case RespValue.BooleanReply b:
                if (version == RespVersion.Resp3) Raw(output, b.Value ? "#t\r\n"u8 : "#f\r\n"u8);
                else Header(output, (byte)':', b.Value ? 1 : 0);
                break;
            case RespValue.DoubleReply d:
                var number = Encoding.ASCII.GetBytes(Format(d.Value));
                if (version == RespVersion.Resp3) Line(output, (byte)',', number);
                else Bulk(output, number);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value, "Not a reply this writer knows.");
        }
    }

    /// <summary>The bytes of one reply (tests, and replies written before a connection closes).</summary>
    public static byte[] ToBytes(RespValue value, RespVersion version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, value, version);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf" : double.IsNaN(value) ? "nan"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A status or error must be one line: CR and LF become spaces, as Redis does with error text.</summary>
    private static byte[] OneLine(string text) =>
        Encoding.UTF8.GetBytes(text.AsSpan().ContainsAny('\r', '\n') ? text.Replace('\r', ' ').Replace('\n', ' ') : text);

    private static void Bulk(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        Header(output, (byte)'$', bytes.Length);
        Raw(output, bytes);
        Raw(output, Crlf);
    }

    private static void Line(IBufferWriter<byte> output, byte prefix, ReadOnlySpan<byte> text)
    {
        var span = output.GetSpan(text.Length + 3);
        span[0] = prefix;
        text.CopyTo(span[1..]);
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        output.Advance(text.Length + 3);
    }

    private static void Header(IBufferWriter<byte> output, byte prefix, long value)
    {
        var span = output.GetSpan(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        output.Advance(written + 3);
    }

    private static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var span = output.GetSpan(Math.Min(bytes.Length, 4096));
            var n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }
}
