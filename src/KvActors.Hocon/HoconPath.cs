using System.Text;

namespace KvActors.Hocon;

/// <summary>Path expressions (<c>a.b."c.d"</c>): parsing into segments and rendering back.</summary>
internal static class HoconPath
{
    /// <summary>Splits a path expression into segments; null when it is not a valid path.</summary>
    public static string[]? TryParse(string expression)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var hasContent = false;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (c == '.')
            {
                if (!hasContent) return null;
                segments.Add(current.ToString());
                current.Clear();
                hasContent = false;
            }
            else if (c == '"')
            {
                // Quoted segment: dots inside are part of the key.
                i++;
                while (true)
                {
                    if (i >= expression.Length) return null;
                    var q = expression[i];
                    if (q == '"') break;
                    if (q == '\\')
                    {
                        if (i + 1 >= expression.Length) return null;
                        i++;
                        if (!StringEscapes.TryDecode(expression, ref i, current)) return null;
                        continue;
                    }
                    current.Append(q);
                    i++;
                }
                hasContent = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                return null;
            }
            else
            {
                current.Append(c);
                hasContent = true;
            }
        }
        if (!hasContent) return null;
        segments.Add(current.ToString());
        return segments.ToArray();
    }

    public static string Render(IEnumerable<string> segments) => string.Join('.', segments.Select(RenderSegment));

    private static string RenderSegment(string s) =>
        s.Length > 0 && s.All(c => !char.IsWhiteSpace(c) && c != '.' && !Tokenizer.IsForbidden(c))
            ? s
            : StringEscapes.Quote(s);
}
