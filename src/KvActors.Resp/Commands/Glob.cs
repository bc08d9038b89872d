namespace KvActors.Resp.Commands;

/// <summary>
/// The glob patterns CONFIG GET takes: <c>*</c>, <c>?</c> and literal characters (no classes). Matched with one
/// backtracking point, so a pattern full of stars costs O(pattern x text), never more.
/// </summary>
internal static class Glob
{
    public static bool Matches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
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
}
