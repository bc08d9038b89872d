using System.Text;

namespace KvActors.Resp.Protocol;

/// <summary>
/// A reply, independent of the protocol version: <see cref="RespReplyWriter"/> writes it as RESP2 or RESP3 (a map is a
/// flat array in RESP2, a null is <c>$-1</c> or <c>*-1</c> there and <c>_</c> in RESP3...). Immutable.
/// </summary>
public abstract record RespValue
{
    public static readonly RespValue Ok = new SimpleString("OK");
    public static readonly RespValue Pong = new SimpleString("PONG");
    public static readonly RespValue Null = new NullReply(false);
    /// <summary>A null where RESP2 has the null array (<c>*-1</c>), e.g. a missing aggregate.</summary>
    public static readonly RespValue NullArray = new NullReply(true);
    public static readonly RespValue EmptyArray = new Array([]);

    public static RespValue Bulk(byte[] bytes) => new BulkString(bytes);

    public static RespValue Bulk(string text) => new BulkString(Encoding.UTF8.GetBytes(text));

    public static RespValue Error(string text) => new ErrorReply(text);

    public static RespValue Integer(long value) => new IntegerReply(value);

    public static RespValue ArrayOf(params RespValue[] items) => new Array(items);

    /// <summary><c>+text</c>: a status, never containing CR or LF.</summary>
    public sealed record SimpleString(string Text) : RespValue;

    /// <summary><c>-CODE message</c>: one line; the first word is the error code (ERR, WRONGPASS, CROSSSLOT...).</summary>
    public sealed record ErrorReply(string Text) : RespValue;

    public sealed record IntegerReply(long Value) : RespValue;

    /// <summary><c>$len\r\nbytes\r\n</c>; equal by content.</summary>
    public sealed record BulkString(byte[] Bytes) : RespValue
    {
        public bool Equals(BulkString? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(Bytes);
            return hash.ToHashCode();
        }
    }

    /// <summary>RESP3 <c>=len\r\ntxt:...</c> (INFO, CLUSTER NODES); a bulk string in RESP2.</summary>
    public sealed record VerbatimString(string Text) : RespValue;

    public sealed record NullReply(bool IsArray) : RespValue;

    public sealed record Array(IReadOnlyList<RespValue> Items) : RespValue;

    /// <summary>RESP3 <c>%n</c>; a flat array of key, value, key, value... in RESP2.</summary>
    public sealed record Map(IReadOnlyList<KeyValuePair<RespValue, RespValue>> Entries) : RespValue;

    /// <summary>RESP3 <c>~n</c>; an array in RESP2.</summary>
    public sealed record Set(IReadOnlyList<RespValue> Items) : RespValue;

    /// <summary>RESP3 <c>#t</c>/<c>#f</c>; the integer 1 or 0 in RESP2.</summary>
    public sealed record BooleanReply(bool Value) : RespValue;

    /// <summary>RESP3 <c>,1.5</c>; a bulk string in RESP2.</summary>
    public sealed record DoubleReply(double Value) : RespValue;

    /// <summary>A map with string keys, the shape HELLO, COMMAND DOCS and CLUSTER SHARDS use.</summary>
    public static RespValue MapOf(params (string Key, RespValue Value)[] entries) =>
        new Map(entries.Select(e => new KeyValuePair<RespValue, RespValue>(Bulk(e.Key), e.Value)).ToList());
}
