using System.Text;

namespace KvActors.Resp.Commands;

/// <summary>
/// Redis's glob patterns (CONFIG GET, SCAN MATCH): <c>*</c>, <c>?</c>, classes <c>[abc]</c>, <c>[^a]</c>, <c>[a-z]</c>, and
/// <c>\x</c> for a literal x. Every element but <c>*</c> matches exactly one character, so one backtracking point (the
/// last star) suffices and a pattern full of stars costs O(pattern x text), never more.
/// </summary>
internal static class Glob
{
    public static bool Matches(string pattern, string text) => Matches(pattern.AsSpan(), text.AsSpan());

    /// <summary>Byte for byte, as Redis matches keys (each byte one Latin-1 character).</summary>
    public static bool Matches(byte[] pattern, byte[] text) => Matches(Encoding.Latin1.GetString(pattern), Encoding.Latin1.GetString(text));

    private static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && MatchesOne(pattern, p, text[t], out var next))
            {
                p = next;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    /// <summary>Whether the element at <paramref name="p"/> (not a star) matches <paramref name="c"/>; <paramref name="next"/> is the element after it.</summary>
    private static bool MatchesOne(ReadOnlySpan<char> pattern, int p, char c, out int next)
    {
        switch (pattern[p])
        {
            case '?':
                next = p + 1;
                return true;
            case '\\' when p + 1 < pattern.Length:
                next = p + 2;
                return pattern[p + 1] == c;
            case '[':
                return MatchesClass(pattern, p + 1, c, out next);
            default:
                next = p + 1;
                return pattern[p] == c;
        }
    }

    /// <summary>A class from just after its '[': characters, ranges, escapes, '^' first to negate; an unclosed class ends with the pattern.</summary>
    private static bool MatchesClass(ReadOnlySpan<char> pattern, int p, char c, out int next)
    {
        var negate = p < pattern.Length && pattern[p] == '^';
        if (negate) p++;
        var matched = false;
        while (p < pattern.Length && pattern[p] != ']')
        {
            if (pattern[p] == '\\' && p + 1 < pattern.Length)
            {
                matched |= pattern[p + 1] == c;
                p += 2;
            }
            else if (p + 2 < pattern.Length && pattern[p + 1] == '-')
            {
                var (low, high) = pattern[p] <= pattern[p + 2] ? (pattern[p], pattern[p + 2]) : (pattern[p + 2], pattern[p]);
                matched |= c >= low && c <= high;
                p += 3;
            }
            else
            {
                matched |= pattern[p] == c;
                p++;
            }
        }
        next = p < pattern.Length ? p + 1 : p;
        return matched != negate;
    }
}
