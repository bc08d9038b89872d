using System.Buffers;
using System.Text;
using KvActors.Resp.Protocol;

namespace KvActors.Resp.Tests.Protocol;

/// <summary>Helpers to build RESP requests and feed them to a parser in chosen pieces.</summary>
internal static class Frames
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A multibulk request of <paramref name="arguments"/>.</summary>
    public static byte[] MultiBulk(params byte[][] arguments)
    {
        var stream = new MemoryStream();
        void Write(string s) => stream.Write(Encoding.ASCII.GetBytes(s));
        Write($"*{arguments.Length}\r\n");
        foreach (var a in arguments)
        {
            Write($"${a.Length}\r\n");
            stream.Write(a);
            Write("\r\n");
        }
        return stream.ToArray();
    }

    public static byte[] MultiBulk(params string[] arguments) => MultiBulk(arguments.Select(Bytes).ToArray());

    /// <summary>Feeds <paramref name="input"/> in pieces of the given sizes (cycled), as a socket might deliver it, and collects every command.</summary>
    public static List<RespCommand> ParseInPieces(RespRequestParser parser, byte[] input, params int[] pieceSizes)
    {
        var commands = new List<RespCommand>();
        var pending = new List<byte>();
        var offset = 0;
        var i = 0;
        while (offset < input.Length)
        {
            var size = Math.Min(pieceSizes.Length == 0 ? input.Length : Math.Max(1, pieceSizes[i++ % pieceSizes.Length]), input.Length - offset);
            pending.AddRange(input.AsSpan(offset, size).ToArray());
            offset += size;
            var buffer = Segmented(pending.ToArray());
            while (parser.TryRead(ref buffer, out var command)) commands.Add(command);
            pending = [.. buffer.ToArray()];
        }
        return commands;
    }

    public static List<RespCommand> ParseAll(byte[] input, RespLimits? limits = null) => ParseInPieces(new RespRequestParser(limits ?? new RespLimits()), input);

    /// <summary>A sequence of several segments (up to 7 bytes each), so parsing never relies on one contiguous span.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes)
    {
        if (bytes.Length == 0) return ReadOnlySequence<byte>.Empty;
        Segment? first = null, last = null;
        for (var offset = 0; offset < bytes.Length; offset += 7)
        {
            var piece = bytes.AsMemory(offset, Math.Min(7, bytes.Length - offset));
            if (first is null) first = last = new Segment(piece, 0);
            else last = last!.Append(piece);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    public static string[] Texts(RespCommand command) => command.Arguments.Select(a => Encoding.UTF8.GetString(a)).ToArray();
}
