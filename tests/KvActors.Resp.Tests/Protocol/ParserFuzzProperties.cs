using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using KvActors.Resp.Protocol;
using Microsoft.FSharp.Core;

namespace KvActors.Resp.Tests.Protocol;

/// <summary>
/// Seeded properties of the parser (the same cases every run): on random bytes and on valid requests with random
/// mutations, split into random pieces, it only ever returns commands or throws <see cref="RespProtocolException"/>;
/// it never holds more than its limits allow; and valid requests, however split, read back exactly, with any argument over
/// the store's limits read past and its command returned as oversized.
/// </summary>
public sealed class ParserFuzzProperties
{
    /// <summary>Arguments of 33 to 64 bytes are over the store's limits (skipped); longer ones are protocol errors.</summary>
    private static readonly RespLimits Limits = new()
    {
        MaxBulkLength = 64, MaxKeyLength = 16, MaxValueLength = 32, MaxArguments = 8, MaxInlineLength = 48, MaxCommandBytes = 200,
    };

    private static Config Seeded(int tests) =>
        Config.QuickThrowOnFailure
            .WithMaxTest(tests)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(0x52455350UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    private static readonly Gen<byte[]> Argument =
        from length in Gen.Frequency((3, Gen.Choose(0, 8)), (1, Gen.Choose(0, 64)))
        from bytes in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(length)
        select bytes;

    private static readonly Gen<byte[][]> Command =
        from count in Gen.Choose(1, 6)
        from args in Argument.ArrayOf(count)
        select args;

    private static readonly Gen<int[]> Pieces =
        from count in Gen.Choose(1, 6)
        from sizes in Gen.Choose(1, 40).ArrayOf(count)
        select sizes;

    private static readonly Gen<byte[][][]> Commands =
        from count in Gen.Choose(1, 4)
        from commands in Command.ArrayOf(count)
        select commands;

    /// <summary>Valid requests with random bytes flipped, inserted or dropped: protocol-shaped garbage.</summary>
    private static readonly Gen<byte[]> Mutated =
        from commands in Commands
        from edits in Gen.Choose(1, 5)
        from positions in Gen.Choose(0, 10_000).ArrayOf(edits)
        from values in Gen.Elements<byte>((byte)'*', (byte)'$', (byte)'\r', (byte)'\n', (byte)'-', (byte)'0', (byte)'9', (byte)'"', (byte)'\'', 0, 255).ArrayOf(edits)
        from kinds in Gen.Choose(0, 2).ArrayOf(edits)
        select Mutate(commands.SelectMany(c => Frames.MultiBulk(c)).ToArray(), positions, values, kinds);

    private static byte[] Mutate(byte[] input, int[] positions, byte[] values, int[] kinds)
    {
        var bytes = input.ToList();
        for (var i = 0; i < positions.Length; i++)
        {
            var at = bytes.Count == 0 ? 0 : positions[i] % bytes.Count;
            switch (kinds[i])
            {
                case 0 when bytes.Count > 0: bytes[at] = values[i]; break;
                case 1: bytes.Insert(at, values[i]); break;
                case 2 when bytes.Count > 0: bytes.RemoveAt(at); break;
            }
        }
        return [.. bytes];
    }

    private static readonly Gen<byte[]> Random =
        from length in Gen.Choose(0, 400)
        from bytes in Gen.Frequency(
            (3, Gen.Choose(0, 255).Select(b => (byte)b)),
            (2, Gen.Elements<byte>((byte)'*', (byte)'$', (byte)'\r', (byte)'\n', (byte)'1', (byte)'2', (byte)' ', (byte)'"', (byte)'a'))).ArrayOf(length)
        select bytes;

    /// <summary>Runs the parser over <paramref name="input"/> in pieces; true when it ended in a protocol error, false when it read everything.</summary>
    private static bool ParsesWithinBounds(byte[] input, int[] pieces)
    {
        var parser = new RespRequestParser(Limits);
        var pending = Array.Empty<byte>();
        var offset = 0;
        var i = 0;
        try
        {
            while (offset < input.Length)
            {
                var size = Math.Min(pieces[i++ % pieces.Length], input.Length - offset);
                pending = [.. pending, .. input.AsSpan(offset, size)];
                offset += size;
                var buffer = new ReadOnlySequence<byte>(pending);
                while (parser.TryRead(ref buffer, out var command))
                {
                    command.Count.Should().BeInRange(1, Limits.MaxArguments);
                    command.Arguments.Should().OnlyContain(a => a.Length <= Limits.MaxKeptBulkLength);
                    if (command is OversizedCommand { Oversized: var oversized })
                    {
                        oversized.Length.Should().BeInRange(Limits.MaxKeptBulkLength + 1, Limits.MaxBulkLength);
                        command[oversized.Index].Should().BeEmpty();
                    }
                    command.Arguments.Sum(a => (long)a.Length).Should().BeLessThanOrEqualTo(Limits.MaxCommandBytes);
                }
                parser.RetainedBytes.Should().BeLessThanOrEqualTo(Limits.MaxCommandBytes, "the parser never holds more than one command's limit");
                // What the parser leaves unconsumed is at most one header or inline line in progress.
                buffer.Length.Should().BeLessThanOrEqualTo(Limits.MaxInlineLength + 2);
                pending = buffer.ToArray();
            }
            return false;
        }
        catch (RespProtocolException e)
        {
            e.Message.Should().StartWith("Protocol error: ");
            e.ErrorReply.Should().StartWith("ERR Protocol error: ");
            return true;
        }
    }

    [Fact]
    public void Random_bytes_give_commands_or_a_protocol_error_and_stay_within_the_limits()
    {
        var errors = 0;
        Check.One(Seeded(2000), Prop.ForAll(Random.ToArbitrary(), Pieces.ToArbitrary(), (input, pieces) =>
        {
            if (ParsesWithinBounds(input, pieces)) errors++;
        }));
        errors.Should().BeGreaterThan(100, "random bytes are mostly malformed; a fuzzer that never reaches an error tests nothing");
    }

    [Fact]
    public void Mutated_requests_give_commands_or_a_protocol_error_and_stay_within_the_limits()
    {
        var errors = 0;
        Check.One(Seeded(2000), Prop.ForAll(Mutated.ToArbitrary(), Pieces.ToArbitrary(), (input, pieces) =>
        {
            if (ParsesWithinBounds(input, pieces)) errors++;
        }));
        errors.Should().BeGreaterThan(100);
    }

    [Fact]
    public void Valid_requests_split_anywhere_read_back_exactly()
    {
        Check.One(Seeded(500), Prop.ForAll(Commands.ToArbitrary(), Pieces.ToArbitrary(), (commands, pieces) =>
        {
            var input = commands.SelectMany(c => Frames.MultiBulk(c)).ToArray();
            var read = Frames.ParseInPieces(new RespRequestParser(new RespLimits()), input, pieces);
            read.Should().HaveCount(commands.Length);
            for (var c = 0; c < commands.Length; c++)
                read[c].Arguments.Should().BeEquivalentTo(commands[c], o => o.WithStrictOrdering());
        }));
    }

    [Fact]
    public void Valid_requests_with_arguments_over_the_store_s_limits_read_back_in_step_however_split()
    {
        var skipped = 0;
        Check.One(Seeded(500), Prop.ForAll(Commands.ToArbitrary(), Pieces.ToArbitrary(), (commands, pieces) =>
        {
            var input = commands.SelectMany(c => Frames.MultiBulk(c)).ToArray();
            var read = Frames.ParseInPieces(new RespRequestParser(Limits with { MaxCommandBytes = 1000 }), input, pieces);
            read.Should().HaveCount(commands.Length);
            for (var c = 0; c < commands.Length; c++)
            {
                var first = Array.FindIndex(commands[c], a => a.Length > Limits.MaxKeptBulkLength);
                var oversized = (read[c] as OversizedCommand)?.Oversized;
                oversized.Should().Be(first < 0 ? null : new OversizedArgument(first, commands[c][first].Length));
                if (first >= 0) skipped++;
                var kept = commands[c].Select(a => a.Length > Limits.MaxKeptBulkLength ? Array.Empty<byte>() : a);
                read[c].Arguments.Should().BeEquivalentTo(kept, o => o.WithStrictOrdering());
            }
        }));
        skipped.Should().BeGreaterThan(50, "a property that never skips an argument tests nothing");
    }
}
