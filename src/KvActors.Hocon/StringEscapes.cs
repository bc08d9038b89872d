using System.Globalization;
using System.Text;

namespace KvActors.Hocon;

/// <summary>JSON string escapes, shared by the tokenizer and path expressions.</summary>
internal static class StringEscapes
{
    /// <summary>
    /// Decodes the escape whose letter is at <paramref name="i"/> (just after the backslash) and
    /// leaves <paramref name="i"/> after it. False for an unknown or truncated escape.
    /// </summary>
    public static bool TryDecode(string text, ref int i, StringBuilder into)
    {
        switch (text[i])
        {
            case '"': into.Append('"'); break;
            case '\\': into.Append('\\'); break;
            case '/': into.Append('/'); break;
            case 'b': into.Append('\b'); break;
            case 'f': into.Append('\f'); break;
            case 'n': into.Append('\n'); break;
            case 'r': into.Append('\r'); break;
            case 't': into.Append('\t'); break;
            case 'u':
                if (i + 5 > text.Length) return false;
                if (!ushort.TryParse(text.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    return false;
                into.Append((char)code);
                i += 5;
                return true;
            default: return false;
        }
        i++;
        return true;
    }

    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
