using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace KvActors.Store.Configuration;

/// <summary>
/// What Akka's HOCON parser leaves unchecked. It accepts stray and unbalanced braces and brackets
/// (everything after "}}}" is dropped; "a = [1, }" or "a = ${" make it loop forever), keeps a line
/// such as "a b c" as a key without a value, and reports a bad token by character offset. These
/// checks run around it so that a mistyped file gets one sentence with its line instead.
/// </summary>
internal static class HoconSyntax
{
    /// <summary>Deeper than this is taken for a cycle too.</summary>
    private const int MaxDepth = 64;

    /// <summary>Null when quotes, braces and brackets balance; else the problem, naming its line.</summary>
    public static string? Unbalanced(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '#':
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    // A comment runs to the end of the line; the '\n' itself is counted next round.
                    var eol = text.IndexOf('\n', i);
                    i = (eol < 0 ? text.Length : eol) - 1;
                    break;
                case '"' when string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0:
                    var close = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (close < 0) return $"line {line}: the \"\"\" string opened here is never closed";
                    line += text.AsSpan(i, close - i).Count('\n');
                    i = close + 2;
                    break;
                case '"':
                    var j = i + 1;
                    while (j < text.Length && text[j] is not ('"' or '\n')) j += text[j] == '\\' ? 2 : 1;
                    if (j >= text.Length || text[j] != '"') return $"line {line}: the quoted string opened here is not closed on its line";
                    i = j;
                    break;
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    if (open.Count == 0) return $"line {line}: '{c}' closes nothing";
                    var (opened, openedOn) = open.Pop();
                    if (opened != (c == '}' ? '{' : '[')) return $"line {line}: '{c}' does not match the '{opened}' opened on line {openedOn}";
                    break;
            }
        }
        if (open.Count == 0) return null;
        var (bracket, on) = open.Peek();
        return $"line {on}: the '{bracket}' opened here is never closed";
    }

    /// <summary>Null when every key has a value; else the first key without one (Akka keeps "a b c" as such a key).</summary>
    public static string? KeyWithoutValue(Config config) =>
        config.IsEmpty || config.Root is null ? null : Find(config.Root, "", []);

    private static string? Find(HoconValue value, string path, List<HoconObject> enclosing)
    {
        if (value.IsObject())
        {
            var obj = value.GetObject();
            // Akka resolves a substitution it cannot find (${?X} among them) to the whole root, a cycle.
            if (enclosing.Any(e => ReferenceEquals(e, obj)) || enclosing.Count > MaxDepth)
                return $"'{path}' refers to an object that encloses it (is it set to a substitution such as ${{?X}}?)";
            enclosing.Add(obj);
            foreach (var (name, child) in obj.Items)
            {
                if (Find(child, path.Length == 0 ? name : $"{path}.{name}", enclosing) is { } problem) return problem;
            }
            enclosing.RemoveAt(enclosing.Count - 1);
            return null;
        }
        return value.Values.Count == 0 ? $"'{path}' has no value (expected key = value)" : null;
    }

    private static readonly Regex UnknownToken = new(@"^Unknown token at position (?<position>\d+)", RegexOptions.CultureInvariant);

    /// <summary>Akka's "Unknown token at position N: ..." (several lines) as "line L, column C: ..."; other messages as one line.</summary>
    public static string Describe(Exception e, string text)
    {
        var match = UnknownToken.Match(e.Message);
        if (!match.Success || !int.TryParse(match.Groups["position"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            || position >= text.Length)
            return KvConfig.Sentence(e.Message);
        var lineStart = position == 0 ? 0 : text.LastIndexOf('\n', position - 1) + 1;
        var lineEnd = text.IndexOf('\n', position);
        var lineText = text[lineStart..(lineEnd < 0 ? text.Length : lineEnd)].Trim();
        var line = text.AsSpan(0, lineStart).Count('\n') + 1;
        var what = char.IsWhiteSpace(text[position]) ? "the end of the line" : $"'{text[position]}'";
        return $"line {line}, column {position - lineStart + 1}: unexpected {what} in \"{lineText}\".";
    }
}
