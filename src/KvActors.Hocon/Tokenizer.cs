using System.Text;

namespace KvActors.Hocon;

/// <summary>
/// Turns HOCON text into tokens. Comments are dropped (their newline is kept, since newlines
/// separate fields); whitespace inside a line is kept because value concatenation needs it.
/// </summary>
internal sealed class Tokenizer
{
    // Characters HOCON forbids in unquoted text.
    private const string Forbidden = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private readonly string _file;
    private readonly List<Token> _tokens = new();
    private int _i;
    private int _line = 1;
    private int _column = 1;

    private Tokenizer(string text, string file)
    {
        _text = text;
        _file = file;
    }

    public static List<Token> Tokenize(string text, string file) => new Tokenizer(text, file).Run();

    public static bool IsForbidden(char c) => Forbidden.Contains(c);

    private static bool IsInlineWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private SourcePosition Position => new(_file, _line, _column);

    private char Peek(int ahead = 0) => _i + ahead < _text.Length ? _text[_i + ahead] : '\0';

    private bool StartsComment => Peek() == '#' || (Peek() == '/' && Peek(1) == '/');

    private void Advance()
    {
        if (_text[_i] == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }
        _i++;
    }

    private void Add(TokenKind kind, string text, SourcePosition position) => _tokens.Add(new Token(kind, text, position));

    private List<Token> Run()
    {
        while (_i < _text.Length)
        {
            var start = Position;
            var c = _text[_i];
            if (c == '\n')
            {
                Advance();
                Add(TokenKind.Newline, "\n", start);
            }
            else if (IsInlineWhitespace(c))
            {
                var from = _i;
                while (_i < _text.Length && IsInlineWhitespace(_text[_i])) Advance();
                Add(TokenKind.Whitespace, _text[from.._i], start);
            }
            else if (StartsComment)
            {
                while (_i < _text.Length && _text[_i] != '\n') Advance();
            }
            else
            {
                ReadToken(c, start);
            }
        }
        Add(TokenKind.End, "", Position);
        return _tokens;
    }

    private void ReadToken(char c, SourcePosition start)
    {
        switch (c)
        {
            case '{': Single(TokenKind.LBrace, start); return;
            case '}': Single(TokenKind.RBrace, start); return;
            case '[': Single(TokenKind.LBracket, start); return;
            case ']': Single(TokenKind.RBracket, start); return;
            case ',': Single(TokenKind.Comma, start); return;
            case '=':
            case ':': Single(TokenKind.Separator, start); return;
            case '+' when Peek(1) == '=':
                Advance();
                Advance();
                Add(TokenKind.PlusEquals, "+=", start);
                return;
            case '"':
                if (Peek(1) == '"' && Peek(2) == '"') ReadTripleQuoted(start);
                else ReadQuoted(start);
                return;
            case '$' when Peek(1) == '{':
                ReadSubstitution(start);
                return;
        }
        if (IsForbidden(c)) throw new HoconException(start, $"unexpected character '{c}'");
        ReadUnquoted(start);
    }

    private void Single(TokenKind kind, SourcePosition start)
    {
        var text = _text[_i].ToString();
        Advance();
        Add(kind, text, start);
    }

    private void ReadUnquoted(SourcePosition start)
    {
        var from = _i;
        while (_i < _text.Length)
        {
            var c = _text[_i];
            if (c == '\n' || IsInlineWhitespace(c) || IsForbidden(c) || StartsComment) break;
            Advance();
        }
        Add(TokenKind.Unquoted, _text[from.._i], start);
    }

    private void ReadQuoted(SourcePosition start)
    {
        Advance(); // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_i >= _text.Length || _text[_i] == '\n') throw new HoconException(start, "unterminated string");
            var c = _text[_i];
            if (c == '"')
            {
                Advance();
                break;
            }
            if (c == '\\')
            {
                var escapeAt = Position;
                Advance();
                if (_i >= _text.Length) throw new HoconException(start, "unterminated string");
                var before = _i;
                var at = _i;
                if (!StringEscapes.TryDecode(_text, ref at, sb))
                {
                    var seq = _text.Substring(before, Math.Min(_text[before] == 'u' ? 5 : 1, _text.Length - before));
                    throw new HoconException(escapeAt, $"bad escape sequence '\\{seq}' in string");
                }
                while (_i < at) Advance();
                continue;
            }
            sb.Append(c);
            Advance();
        }
        Add(TokenKind.Quoted, sb.ToString(), start);
    }

    // """raw text""": no escapes, may span lines; quotes just before the closing """ belong to the text.
    private void ReadTripleQuoted(SourcePosition start)
    {
        Advance();
        Advance();
        Advance();
        var from = _i;
        while (true)
        {
            if (_i >= _text.Length) throw new HoconException(start, "unterminated string");
            if (_text[_i] == '"' && Peek(1) == '"' && Peek(2) == '"')
            {
                var run = 0;
                while (Peek(run) == '"') run++;
                var end = _i + run - 3;
                var content = _text[from..end];
                for (var k = 0; k < run; k++) Advance();
                Add(TokenKind.Quoted, content, start);
                return;
            }
            Advance();
        }
    }

    private void ReadSubstitution(SourcePosition start)
    {
        Advance(); // $
        Advance(); // {
        var optional = false;
        if (Peek() == '?')
        {
            optional = true;
            Advance();
        }
        var from = _i;
        while (true)
        {
            if (_i >= _text.Length || _text[_i] == '\n') throw new HoconException(start, "unterminated substitution");
            var c = _text[_i];
            if (c == '}') break;
            if (c == '"')
            {
                // Skip a quoted path segment so a '}' inside it does not end the substitution.
                Advance();
                while (_i < _text.Length && _text[_i] != '"' && _text[_i] != '\n')
                {
                    if (_text[_i] == '\\' && _i + 1 < _text.Length && _text[_i + 1] != '\n') Advance();
                    Advance();
                }
                if (_i >= _text.Length || _text[_i] == '\n') throw new HoconException(start, "unterminated substitution");
            }
            Advance();
        }
        var expression = _text[from.._i].Trim();
        Advance(); // }
        var path = HoconPath.TryParse(expression)
            ?? throw new HoconException(start, $"bad path in substitution '${{{(optional ? "?" : "")}{expression}}}'");
        _tokens.Add(new Token(TokenKind.Substitution, expression, start, optional, path));
    }
}
