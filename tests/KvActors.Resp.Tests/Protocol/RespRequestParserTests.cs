using System.Buffers;
using KvActors.Resp.Protocol;
using static KvActors.Resp.Tests.Protocol.Frames;

namespace KvActors.Resp.Tests.Protocol;

public sealed class RespRequestParserTests
{
    private static readonly RespLimits Small = new() { MaxBulkLength = 100, MaxArguments = 5, MaxInlineLength = 64, MaxCommandBytes = 250 };

    private static string Error(byte[] input, RespLimits? limits = null)
    {
        var act = () => ParseAll(input, limits ?? Small);
        return act.Should().Throw<RespProtocolException>().Which.Message;
    }

    [Fact]
    public void Reads_a_multibulk_command()
    {
        var commands = ParseAll(MultiBulk("SET", "key", "value"));
        commands.Should().ContainSingle();
        Texts(commands[0]).Should().Equal("SET", "key", "value");
        commands[0].Name.Should().Be("SET");
    }

    [Fact]
    public void Command_names_are_case_insensitive()
    {
        ParseAll(MultiBulk("gEt", "k"))[0].Name.Should().Be("GET");
    }

    [Fact]
    public void Bulk_strings_are_binary_safe()
    {
        byte[] value = [0, 13, 10, 255, (byte)'*', (byte)'$', 13, 10];
        var command = ParseAll(MultiBulk([Bytes("SET"), Bytes("k"), value]))[0];
        command[2].Should().Equal(value);
    }

    [Fact]
    public void Empty_bulk_strings_are_arguments()
    {
        Texts(ParseAll(MultiBulk("SET", "", ""))[0]).Should().Equal("SET", "", "");
    }

    [Fact]
    public void Reads_every_command_of_a_pipeline_in_one_buffer()
    {
        var input = MultiBulk("PING").Concat(MultiBulk("GET", "a")).Concat(Bytes("ECHO hi\r\n")).Concat(MultiBulk("DEL", "a", "b")).ToArray();
        ParseAll(input).Select(c => c.Name).Should().Equal("PING", "GET", "ECHO", "DEL");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(13)]
    public void A_request_split_anywhere_reads_the_same(int pieceSize)
    {
        var input = MultiBulk("SET", "some-key", new string('v', 40)).Concat(Bytes("GET \"some key\"\r\n")).Concat(MultiBulk("MGET", "a", "b", "c")).ToArray();
        var commands = ParseInPieces(new RespRequestParser(new RespLimits()), input, pieceSize);
        commands.Select(Texts).Should().BeEquivalentTo(
            new[] { new[] { "SET", "some-key", new string('v', 40) }, ["GET", "some key"], ["MGET", "a", "b", "c"] },
            o => o.WithStrictOrdering());
    }

    [Fact]
    public void Consumes_each_whole_argument_so_the_buffer_holds_at_most_one_partial_argument()
    {
        var parser = new RespRequestParser(new RespLimits());
        var input = MultiBulk("SET", "key", new string('x', 1000));
        var buffer = new ReadOnlySequence<byte>(input, 0, input.Length - 500);
        parser.TryRead(ref buffer, out _).Should().BeFalse();
        buffer.Length.Should().Be(0, "every byte seen so far is taken: whole arguments and the start of the value");
        parser.RetainedBytes.Should().Be(3 + 3 + 1000, "the value's array is allocated once its length is known");
        var rest = new ReadOnlySequence<byte>(input, input.Length - 500, 500);
        parser.TryRead(ref rest, out var command).Should().BeTrue();
        command!.Count.Should().Be(3);
        parser.RetainedBytes.Should().Be(0);
    }

    [Fact]
    public void Skips_empty_multibulks_and_blank_inline_lines()
    {
        var input = Bytes("*0\r\n*-1\r\n\r\n   \r\n").Concat(MultiBulk("PING")).ToArray();
        ParseAll(input).Select(c => c.Name).Should().Equal("PING");
    }

    [Fact]
    public void Reads_inline_commands_with_redis_quoting()
    {
        Texts(ParseAll(Bytes("SET k v\r\n"))[0]).Should().Equal("SET", "k", "v");
        Texts(ParseAll(Bytes("set  \"a b\"   'c d'\n"))[0]).Should().Equal("set", "a b", "c d");
        Texts(ParseAll(Bytes("ECHO \"line\\nnext\\t\\x41\\\\\\\"\"\r\n"))[0]).Should().Equal("ECHO", "line\nnext\tA\\\"");
        Texts(ParseAll(Bytes("ECHO 'it\\'s'\r\n"))[0]).Should().Equal("ECHO", "it's");
        Texts(ParseAll(Bytes("ECHO \"\"\r\n"))[0]).Should().Equal("ECHO", "");
    }

    [Theory]
    [InlineData("ECHO \"abc\r\n")]
    [InlineData("ECHO 'abc\r\n")]
    [InlineData("ECHO \"abc\"def\r\n")]
    [InlineData("ECHO 'abc'def\r\n")]
    public void Unbalanced_quotes_are_a_protocol_error(string line)
    {
        Error(Bytes(line)).Should().Be("Protocol error: unbalanced quotes in request");
    }

    [Theory]
    [InlineData("*abc\r\n")]
    [InlineData("*\r\n")]
    [InlineData("*+1\r\n")]
    [InlineData("* 1\r\n")]
    [InlineData("*1x\r\n")]
    [InlineData("*6\r\n")]
    [InlineData("*99999999999999999999999\r\n")]
    public void A_bad_or_too_large_argument_count_is_an_invalid_multibulk_length(string header)
    {
        Error(Bytes(header)).Should().Be("Protocol error: invalid multibulk length");
    }

    [Fact]
    public void An_argument_that_is_not_a_bulk_string_is_refused()
    {
        Error(Bytes("*1\r\n:12\r\n")).Should().Be("Protocol error: expected '$', got ':'");
        Error(Bytes("*1\r\n\x01")).Should().Be("Protocol error: expected '$', got '\\x01'");
    }

    [Theory]
    [InlineData("$-1")]
    [InlineData("$abc")]
    [InlineData("$")]
    [InlineData("$101")]
    [InlineData("$1.5")]
    public void A_bad_or_too_long_bulk_length_is_an_invalid_bulk_length(string header)
    {
        Error(Bytes($"*1\r\n{header}\r\n")).Should().Be("Protocol error: invalid bulk length");
    }

    [Fact]
    public void Bulk_data_must_end_with_crlf()
    {
        Error(Bytes("*1\r\n$3\r\nabcd\r\n")).Should().Be("Protocol error: bulk data is not followed by CRLF");
        Error(Bytes("*1\r\n$3\r\nabc\rx")).Should().Be("Protocol error: bulk data is not followed by CRLF");
    }

    [Fact]
    public void Lines_longer_than_the_inline_limit_are_refused_before_they_end()
    {
        Error(Bytes(new string('a', 65))).Should().Be("Protocol error: too big inline request");
        Error(Bytes("*" + new string('1', 70))).Should().Be("Protocol error: too big mbulk count string");
        Error(Bytes("*1\r\n$" + new string('1', 70))).Should().Be("Protocol error: too big bulk count string");
        Error(Bytes(new string('a', 70) + "\r\n")).Should().Be("Protocol error: too big inline request");
    }

    [Fact]
    public void A_line_at_the_inline_limit_is_accepted()
    {
        var line = "ECHO " + new string('a', 59);
        Texts(ParseAll(Bytes(line + "\r\n"), Small)[0]).Should().Equal("ECHO", new string('a', 59));
    }

    [Fact]
    public void A_command_whose_arguments_exceed_the_query_buffer_limit_is_refused_before_its_data_is_read()
    {
        var input = Bytes("*4\r\n$100\r\n" + new string('a', 100) + "\r\n$100\r\n" + new string('b', 100) + "\r\n$100\r\n");
        Error(input).Should().Be("Protocol error: the command's arguments exceed the query buffer limit of 250 bytes (kvactors.resp.query-buffer-limit)");
    }

    /// <summary>Keys up to 10 bytes, values up to 20 are kept; the protocol takes bulks up to 100.</summary>
    private static readonly RespLimits StoreLimits = Small with { MaxKeyLength = 10, MaxValueLength = 20 };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    public void An_argument_over_the_store_s_limits_is_read_past_and_its_command_returned_as_oversized(int pieceSize)
    {
        var input = MultiBulk("SET", "k", new string('v', 21)).Concat(MultiBulk("GET", "k")).ToArray();
        var commands = ParseInPieces(new RespRequestParser(StoreLimits), input, pieceSize);
        commands.Should().HaveCount(2, "the parser stays in step after the skipped argument");
        Texts(commands[0]).Should().Equal("SET", "k", "");
        commands[0].Should().BeOfType<OversizedCommand>().Which.Oversized.Should().Be(new OversizedArgument(2, 21));
        Texts(commands[1]).Should().Equal("GET", "k");
        commands[1].Should().NotBeOfType<OversizedCommand>();
    }

    [Fact]
    public void A_skipped_argument_is_never_held_and_takes_every_byte_as_it_arrives()
    {
        var parser = new RespRequestParser(StoreLimits);
        var header = Bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$90\r\n");
        var buffer = new ReadOnlySequence<byte>([.. header, .. new byte[40]]);
        parser.TryRead(ref buffer, out _).Should().BeFalse();
        buffer.Length.Should().Be(0, "the skipped bytes are consumed as they come");
        parser.RetainedBytes.Should().Be(3 + 1, "nothing is allocated for the skipped argument");
        var rest = new ReadOnlySequence<byte>([.. new byte[50], .. Bytes("\r\n")]);
        parser.TryRead(ref rest, out var command).Should().BeTrue();
        command.Should().BeOfType<OversizedCommand>().Which.Oversized.Should().Be(new OversizedArgument(2, 90));
        parser.RetainedBytes.Should().Be(0);
    }

    [Fact]
    public void Skipped_arguments_do_not_count_against_the_query_buffer_limit_and_the_first_is_reported()
    {
        // 250 bytes of query buffer: three 90-byte arguments would exceed it if they were kept.
        var big = new string('x', 90);
        var command = ParseAll(MultiBulk("MSET", "a", big, "b", big, "c", big), StoreLimits with { MaxArguments = 7 }).Single();
        command.Should().BeOfType<OversizedCommand>().Which.Oversized.Should().Be(new OversizedArgument(2, 90));
        Texts(command).Should().Equal("MSET", "a", "", "b", "", "c", "");
    }

    [Fact]
    public void An_inline_argument_over_the_store_s_limits_makes_an_oversized_command()
    {
        var command = ParseAll(Bytes($"SET k {new string('v', 30)}\r\n"), StoreLimits).Single();
        command.Should().BeOfType<OversizedCommand>().Which.Oversized.Should().Be(new OversizedArgument(2, 30));
        Texts(command).Should().Equal("SET", "k", "");
    }

    [Fact]
    public void A_skipped_argument_must_still_end_with_crlf()
    {
        Error(Bytes($"*2\r\n$3\r\nGET\r\n$30\r\n{new string('k', 30)}xx"), StoreLimits).Should().Be("Protocol error: bulk data is not followed by CRLF");
    }

    [Fact]
    public void A_bulk_over_the_protocol_limit_is_invalid_even_when_the_store_would_skip_it()
    {
        Error(Bytes("*2\r\n$3\r\nGET\r\n$101\r\n"), StoreLimits).Should().Be("Protocol error: invalid bulk length");
    }

    [Fact]
    public void Too_many_inline_arguments_are_refused()
    {
        Error(Bytes("a b c d e f\r\n")).Should().Be("Protocol error: invalid multibulk length");
    }

    [Fact]
    public void A_huge_announced_count_allocates_nothing_up_front()
    {
        var parser = new RespRequestParser(new RespLimits());
        var buffer = new ReadOnlySequence<byte>(Bytes("*1000000\r\n"));
        parser.TryRead(ref buffer, out _).Should().BeFalse();
        parser.RetainedBytes.Should().Be(0);
    }

    [Fact]
    public void Integers_are_parsed_as_redis_does()
    {
        RespRequestParser.TryParseInteger(Bytes("0"), out var zero).Should().BeTrue();
        zero.Should().Be(0);
        RespRequestParser.TryParseInteger(Bytes("-42"), out var negative).Should().BeTrue();
        negative.Should().Be(-42);
        RespRequestParser.TryParseInteger(Bytes("9223372036854775807"), out var max).Should().BeTrue();
        max.Should().Be(long.MaxValue);
        foreach (var bad in new[] { "", "+1", " 1", "1 ", "1e3", "0x10", "9223372036854775808", "--1" })
            RespRequestParser.TryParseInteger(Bytes(bad), out _).Should().BeFalse(bad);
    }
}
