using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace KvActors.Resp.Protocol;

/// <summary>
/// Reads requests from a client's byte stream, incrementally: multibulk arrays (<c>*2\r\n$3\r\nGET\r\n$1\r\nk\r\n</c>) and
/// inline commands (<c>GET k\r\n</c>, with Redis's quoting), as Redis accepts them. Each completed argument is copied out
/// and consumed at once, so the caller's buffer never has to hold more than one header line or the unread part of one
/// argument. Bounded by <see cref="RespLimits"/>: an argument's bytes are allocated only after its length is checked, a
/// command's arguments never exceed <see cref="RespLimits.MaxCommandBytes"/>, and a header or inline line longer than
/// <see cref="RespLimits.MaxInlineLength"/> is refused before it is complete. An argument longer than any key or value
/// the store keeps (<see cref="RespLimits.MaxKeptBulkLength"/>) but within the protocol's limit is read past as its
/// bytes arrive, never held, and its command returned as an <see cref="OversizedCommand"/>: the connection stays in step
/// and can answer it with an error. Malformed input throws <see cref="RespProtocolException"/> (and nothing else);
/// the parser is then unusable, as the connection is to be closed. One parser per connection; not thread-safe.
/// </summary>
public sealed class RespRequestParser(RespLimits limits)
{
    private const int MaxIntegerDigits = 20;

    private readonly RespLimits _limits = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <summary>Arguments up to this are kept (an array is allocated for them); longer ones are read past.</summary>
    private readonly long _maxKept = Math.Min(limits.MaxKeptBulkLength, Array.MaxLength);

    /// <summary>Argument counts up to this get their array at once; a larger claimed count grows it as arguments arrive.</summary>
    private const int TrustedCount = 64;

    // A multibulk command in progress: how many arguments it has (-1: none in progress) and those read so far.
    private int _expected = -1;
    private byte[][]? _arguments;
    private int _read;
    private long _commandBytes;

    // The argument being filled (null: its $ header is next), and how much of it has arrived.
    private byte[]? _bulk;
    private int _filled;

    // An argument too long to keep: how many of its bytes are still to be read past (0: none), and the command's first one.
    private long _skipping;
    private OversizedArgument? _oversized;

    /// <summary>Bytes of argument data the parser holds for the command in progress (allocated, filled or not).</summary>
    public long RetainedBytes => _commandBytes + (_bulk?.Length ?? 0);

    /// <summary>
    /// Reads from the front of <paramref name="buffer"/> and slices off what it consumed (also when it returns false, having
    /// taken part of a command). True with the next complete command; false when more bytes are needed. Empty commands
    /// (<c>*0</c>, <c>*-1</c>, a blank inline line) are skipped as Redis does.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out RespCommand? command)
    {
        command = null;
        while (true)
        {
            if (_expected < 0)
            {
                if (buffer.IsEmpty) return false;
                if (First(buffer) == (byte)'*')
                {
                    if (!TryReadLine(ref buffer, "too big mbulk count string", out var line)) return false;
                    if (!TryParseInteger(line[1..], out var count) || count > _limits.MaxArguments)
                        throw new RespProtocolException("invalid multibulk length");
                    if (count <= 0) continue;
                    _expected = (int)count;
                    // Never trust a large count for an allocation: a 16-byte header may claim a million arguments.
                    _arguments = new byte[Math.Min(count, TrustedCount)][];
                    _read = 0;
                    continue;
                }
                if (!TryReadLine(ref buffer, "too big inline request", out var inline)) return false;
                var arguments = InlineSplitter.Split(inline);
                if (arguments.Count == 0) continue;
                if (arguments.Count > _limits.MaxArguments) throw new RespProtocolException("invalid multibulk length");
                command = OversizedInline(arguments) is { } oversized
                    ? new OversizedCommand([.. arguments], oversized)
                    : new RespCommand([.. arguments]);
                return true;
            }

            if (_bulk is null)
            {
                if (buffer.IsEmpty) return false;
                var first = First(buffer);
                if (first != (byte)'$') throw new RespProtocolException($"expected '$', got '{Printable(first)}'");
                if (!TryReadLine(ref buffer, "too big bulk count string", out var line)) return false;
                if (!TryParseInteger(line[1..], out var length)) throw new RespProtocolException("invalid bulk length");
                if (length < 0 || length > _maxKept)
                {
                    _bulk = ReadPast(length);
                }
                else
                {
                    if (_commandBytes + length > _limits.MaxCommandBytes)
                        throw new RespProtocolException($"the command's arguments exceed the query buffer limit of {_limits.MaxCommandBytes} bytes (kvactors.resp.query-buffer-limit)");
                    _bulk = length == 0 ? [] : new byte[length];
                }
                _filled = 0;
            }

            var missing = _bulk.Length - _filled;
            if (missing > 0)
            {
                var take = (int)Math.Min(missing, buffer.Length);
                buffer.Slice(0, take).CopyTo(_bulk.AsSpan(_filled));
                buffer = buffer.Slice(take);
                _filled += take;
                if (take < missing) return false;
            }
            else if (_skipping > 0 && !TrySkip(ref buffer))
            {
                return false;
            }
            if (buffer.IsEmpty) return false;
            if (First(buffer) != (byte)'\r') throw new RespProtocolException("bulk data is not followed by CRLF");
            if (buffer.Length < 2) return false;
            if (buffer.Slice(1, 1).FirstSpan[0] != (byte)'\n') throw new RespProtocolException("bulk data is not followed by CRLF");
            buffer = buffer.Slice(2);

            if (_read == _arguments!.Length) Array.Resize(ref _arguments, (int)Math.Min(_expected, 2L * _arguments.Length));
            _arguments[_read++] = _bulk;
            _commandBytes += _bulk.Length;
            _bulk = null;
            if (_read < _expected) continue;

            command = _oversized is null ? new RespCommand(_arguments) : new OversizedCommand(_arguments, _oversized);
            _expected = -1;
            _arguments = null;
            _commandBytes = 0;
            _oversized = null;
            return true;
        }
    }

    // The paths below are taken only for arguments too long to keep: out of line, so the common path stays as lean.

    /// <summary>
    /// Starts reading past an argument of <paramref name="length"/> bytes, longer than any key or value kept: its bytes are
    /// dropped as they arrive (memory stays bounded however long it is) and it becomes an empty argument of an
    /// <see cref="OversizedCommand"/>. A negative length, or one over the protocol's limit, is Redis's protocol error.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte[] ReadPast(long length)
    {
        if (length < 0 || length > _limits.MaxBulkLength) throw new RespProtocolException("invalid bulk length");
        _oversized ??= new OversizedArgument(_read, length);
        _skipping = length;
        return [];
    }

    /// <summary>Drops what <paramref name="buffer"/> holds of the argument being read past; true once all of it is gone.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TrySkip(ref ReadOnlySequence<byte> buffer)
    {
        var skipped = Math.Min(_skipping, buffer.Length);
        buffer = buffer.Slice(skipped);
        _skipping -= skipped;
        return _skipping == 0;
    }

    /// <summary>The first inline argument too long to keep (emptied, as a skipped bulk would be), or null.</summary>
    private OversizedArgument? OversizedInline(List<byte[]> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].Length <= _maxKept) continue;
            var oversized = new OversizedArgument(i, arguments[i].Length);
            for (var j = i; j < arguments.Count; j++)
                if (arguments[j].Length > _maxKept) arguments[j] = [];
            return oversized;
        }
        return null;
    }

    private static byte First(in ReadOnlySequence<byte> buffer) => buffer.FirstSpan[0];

    private static string Printable(byte b) => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}";

    /// <summary>
    /// The line at the front of <paramref name="buffer"/> without its terminator (<c>\n</c>, with an optional <c>\r</c>
    /// before it), consumed; false when the line is not complete yet. A line longer than the inline limit fails at once.
    /// </summary>
    private bool TryReadLine(ref ReadOnlySequence<byte> buffer, string tooLong, out ReadOnlySpan<byte> line)
    {
        line = default;
        var scanned = buffer.Length > _limits.MaxInlineLength + 2 ? buffer.Slice(0, _limits.MaxInlineLength + 2) : buffer;
        var end = scanned.PositionOf((byte)'\n');
        if (end is null)
        {
            if (scanned.Length > _limits.MaxInlineLength) throw new RespProtocolException(tooLong);
            return false;
        }
        var raw = buffer.Slice(0, end.Value);
        var span = raw.IsSingleSegment ? raw.FirstSpan : raw.ToArray();
        if (span.Length > 0 && span[^1] == (byte)'\r') span = span[..^1];
        if (span.Length > _limits.MaxInlineLength) throw new RespProtocolException(tooLong);
        buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        line = span;
        return true;
    }

    /// <summary>A decimal integer as Redis's string2ll takes it: an optional '-', digits, nothing else.</summary>
    internal static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > MaxIntegerDigits) return false;
        if (text[0] == (byte)'+' || text[0] == (byte)' ') return false;
        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }
}
