namespace KvActors.Resp.Protocol;

/// <summary>
/// Splits an inline command line into arguments as Redis does (its sdssplitargs semantics): words separated by
/// whitespace; "double quotes" with backslash escapes (\n \r \t \b \a \\ \" and \xHH); 'single quotes' where only \'
/// is an escape. A closing quote must be followed by whitespace or the end of the line.
/// </summary>
internal static class InlineSplitter
{
    public static List<byte[]> Split(ReadOnlySpan<byte> line)
    {
        var arguments = new List<byte[]>();
        var current = new List<byte>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i])) i++;
            if (i >= line.Length) return arguments;
            current.Clear();
            var done = false;
            while (!done)
            {
                if (i >= line.Length) break;
                var c = line[i];
                if (IsSpace(c))
                {
                    done = true;
                }
                else if (c == (byte)'"')
                {
                    i = ReadDoubleQuoted(line, i + 1, current);
                    if (i < line.Length && !IsSpace(line[i])) throw Unbalanced();
                    continue;
                }
                else if (c == (byte)'\'')
                {
                    i = ReadSingleQuoted(line, i + 1, current);
                    if (i < line.Length && !IsSpace(line[i])) throw Unbalanced();
                    continue;
                }
                else
                {
                    current.Add(c);
                }
                i++;
            }
            arguments.Add([.. current]);
        }
    }

    /// <summary>Reads up to and past the closing quote; returns the index after it.</summary>
    private static int ReadDoubleQuoted(ReadOnlySpan<byte> line, int i, List<byte> into)
    {
        while (true)
        {
            if (i >= line.Length) throw Unbalanced();
            var c = line[i];
            if (c == (byte)'\\' && i + 3 < line.Length && line[i + 1] == (byte)'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
            {
                into.Add((byte)(Hex(line[i + 2]) * 16 + Hex(line[i + 3])));
                i += 4;
            }
            else if (c == (byte)'\\' && i + 1 < line.Length)
            {
                into.Add(line[i + 1] switch
                {
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    (byte)'b' => (byte)'\b',
                    (byte)'a' => (byte)'\a',
                    var other => other,
                });
                i += 2;
            }
            else if (c == (byte)'"')
            {
                return i + 1;
            }
            else
            {
                into.Add(c);
                i++;
            }
        }
    }

    private static int ReadSingleQuoted(ReadOnlySpan<byte> line, int i, List<byte> into)
    {
        while (true)
        {
            if (i >= line.Length) throw Unbalanced();
            var c = line[i];
            if (c == (byte)'\\' && i + 1 < line.Length && line[i + 1] == (byte)'\'')
            {
                into.Add((byte)'\'');
                i += 2;
            }
            else if (c == (byte)'\'')
            {
                return i + 1;
            }
            else
            {
                into.Add(c);
                i++;
            }
        }
    }

    private static RespProtocolException Unbalanced() => new("unbalanced quotes in request");

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int Hex(byte c) => c <= (byte)'9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
