namespace KvActors.Hocon;

internal enum TokenKind
{
    LBrace, RBrace, LBracket, RBracket,
    /// <summary><c>=</c> or <c>:</c>.</summary>
    Separator,
    PlusEquals, Comma, Newline, Whitespace,
    Unquoted, Quoted, Substitution, End,
}

/// <summary>
/// One lexical token. <see cref="Text"/> is the decoded text (string contents, whitespace run,
/// substitution expression); <see cref="Path"/> and <see cref="Optional"/> only for substitutions.
/// </summary>
internal sealed record Token(TokenKind Kind, string Text, SourcePosition Position, bool Optional = false, IReadOnlyList<string>? Path = null)
{
    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Newline => "newline",
        TokenKind.End => "end of input",
        TokenKind.Whitespace => "whitespace",
        TokenKind.Quoted => "\"" + Shorten(Text) + "\"",
        TokenKind.Substitution => "'${" + (Optional ? "?" : "") + Text + "}'",
        _ => "'" + Shorten(Text) + "'",
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
