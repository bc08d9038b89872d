using System.Text;
using KvActors.Resp.Protocol;

namespace KvActors.Resp.Tests.Protocol;

public sealed class RespReplyWriterTests
{
    private static string Resp2(RespValue value) => Encoding.UTF8.GetString(RespReplyWriter.ToBytes(value, RespVersion.Resp2));

    private static string Resp3(RespValue value) => Encoding.UTF8.GetString(RespReplyWriter.ToBytes(value, RespVersion.Resp3));

    [Fact]
    public void Simple_values_are_the_same_in_both_protocols()
    {
        foreach (var write in new Func<RespValue, string>[] { Resp2, Resp3 })
        {
            write(RespValue.Ok).Should().Be("+OK\r\n");
            write(RespValue.Error("ERR boom")).Should().Be("-ERR boom\r\n");
            write(RespValue.Integer(-12)).Should().Be(":-12\r\n");
            write(RespValue.Bulk("hé")).Should().Be("$3\r\nhé\r\n");
            write(RespValue.Bulk("")).Should().Be("$0\r\n\r\n");
            write(RespValue.ArrayOf(RespValue.Integer(1), RespValue.Bulk("a"))).Should().Be("*2\r\n:1\r\n$1\r\na\r\n");
            write(RespValue.EmptyArray).Should().Be("*0\r\n");
        }
    }

    [Fact]
    public void Nulls_are_null_bulk_or_null_array_in_resp2_and_underscore_in_resp3()
    {
        Resp2(RespValue.Null).Should().Be("$-1\r\n");
        Resp2(RespValue.NullArray).Should().Be("*-1\r\n");
        Resp3(RespValue.Null).Should().Be("_\r\n");
        Resp3(RespValue.NullArray).Should().Be("_\r\n");
    }

    [Fact]
    public void Maps_are_flat_arrays_in_resp2()
    {
        var map = RespValue.MapOf(("a", RespValue.Integer(1)), ("b", RespValue.Null));
        Resp2(map).Should().Be("*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n");
        Resp3(map).Should().Be("%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n");
    }

    [Fact]
    public void Sets_booleans_doubles_and_verbatim_strings_have_resp3_types_and_resp2_fallbacks()
    {
        var set = new RespValue.Set([new RespValue.SimpleString("x")]);
        Resp2(set).Should().Be("*1\r\n+x\r\n");
        Resp3(set).Should().Be("~1\r\n+x\r\n");
        Resp2(new RespValue.BooleanReply(true)).Should().Be(":1\r\n");
        Resp3(new RespValue.BooleanReply(false)).Should().Be("#f\r\n");
        Resp2(new RespValue.DoubleReply(1.5)).Should().Be("$3\r\n1.5\r\n");
        Resp3(new RespValue.DoubleReply(double.PositiveInfinity)).Should().Be(",inf\r\n");
        Resp2(new RespValue.VerbatimString("a:1\r\n")).Should().Be("$5\r\na:1\r\n\r\n");
        Resp3(new RespValue.VerbatimString("a:1\r\n")).Should().Be("=9\r\ntxt:a:1\r\n\r\n");
    }

    [Fact]
    public void Status_and_error_text_never_breaks_the_line()
    {
        Resp2(RespValue.Error("ERR two\r\nlines")).Should().Be("-ERR two  lines\r\n");
    }

    [Fact]
    public void Large_bulk_strings_are_written_whole()
    {
        var big = new byte[100_000];
        new Random(7).NextBytes(big);
        var bytes = RespReplyWriter.ToBytes(RespValue.Bulk(big), RespVersion.Resp2);
        bytes.Length.Should().Be("$100000\r\n".Length + big.Length + 2);
        bytes.AsSpan("$100000\r\n".Length, big.Length).ToArray().Should().Equal(big);
    }
}
