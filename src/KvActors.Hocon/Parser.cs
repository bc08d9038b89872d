using System.Text;

namespace KvActors.Hocon;

/// <summary>
/// Builds the (unresolved) tree from tokens. One parser per file; an include runs a nested parser
/// that shares the <see cref="ParseContext"/> and writes into the object the include appears in.
/// </summary>
internal sealed class Parser
{
    private const int MaxDepth = 200;

    private readonly List<Token> _tokens;
    private readonly ParseContext _context;
    private readonly string _displayName;
    private readonly string _baseDirectory;
    private int _p;

    private Parser(string text, string displayName, string baseDirectory, ParseContext context)
    {
        _tokens = Tokenizer.Tokenize(text, displayName);
        _displayName = displayName;
        _baseDirectory = baseDirectory;
        _context = context;
    }

    /// <summary>Parses a whole document. <paramref name="fullPath"/> is the file's absolute path when it is a file (for include cycles).</summary>
    public static HoconObject ParseDocument(string text, string displayName, string baseDirectory, string? fullPath)
    {
        var context = new ParseContext();
        if (fullPath != null) context.IncludeChain.Add((fullPath, displayName));
        var root = new HoconObject(new SourcePosition(displayName, 1, 1));
        context.Scopes.Add(new Scope(root, Array.Empty<string>()));
        new Parser(text, displayName, baseDirectory, context).ParseBody(root, Array.Empty<string>());
        return root;
    }

    /// <summary>Parses text that must be exactly one value (an override from a flag or the environment).</summary>
    public static HoconValue ParseSingleValue(string text, string sourceName)
    {
        var context = new ParseContext();
        var parser = new Parser(text, sourceName, Directory.GetCurrentDirectory(), context);
        parser.SkipWhitespace(newlines: true);
        if (parser.Peek.Kind == TokenKind.End) return new HoconScalar(parser.Peek.Position, "", ScalarKind.String);
        var value = parser.ParseValue(null);
        parser.SkipWhitespace(newlines: true);
        if (parser.Peek.Kind != TokenKind.End)
            throw new HoconException(parser.Peek.Position, $"unexpected {parser.Peek.Describe()} after the value");
        return value;
    }

    private Token Peek => _tokens[_p];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_p + ahead, _tokens.Count - 1)];

    private Token Next() => _tokens[_p < _tokens.Count - 1 ? _p++ : _p];

    private void SkipWhitespace(bool newlines)
    {
        while (Peek.Kind == TokenKind.Whitespace || (newlines && Peek.Kind == TokenKind.Newline)) _p++;
    }

    // A document or included file: fields, optionally wrapped in one pair of braces.
    private void ParseBody(HoconObject target, string[] prefix)
    {
        SkipWhitespace(newlines: true);
        if (Peek.Kind != TokenKind.LBrace)
        {
            ParseFields(target, prefix, open: null);
            return;
        }
        var open = Next();
        ParseFields(target, prefix, open);
        SkipWhitespace(newlines: true);
        if (Peek.Kind != TokenKind.End)
            throw new HoconException(Peek.Position, $"unexpected {Peek.Describe()} after the closing '}}' of the root object");
    }

    // Fields up to the '}' matching `open`, or to the end of input when open is null.
    private void ParseFields(HoconObject target, string[]? prefix, Token? open)
    {
        while (true)
        {
            SkipWhitespace(newlines: true);
            var t = Peek;
            if (t.Kind == TokenKind.RBrace && open != null)
            {
                Next();
                return;
            }
            if (t.Kind == TokenKind.End)
            {
                if (open != null)
                    throw new HoconException(t.Position, $"expected '}}' to close the object opened at {open.Position.Line}:{open.Position.Column}");
                return;
            }
            var what = IsInclude() ? ParseInclude(target, prefix) : ParseField(target, prefix);
            SkipWhitespace(newlines: false);
            t = Peek;
            if (t.Kind == TokenKind.Comma)
            {
                Next();
                continue;
            }
            if (t.Kind is TokenKind.Newline or TokenKind.End || (t.Kind == TokenKind.RBrace && open != null)) continue;
            throw new HoconException(t.Position, $"expected a newline or ',' after {what}, got {t.Describe()}");
        }
    }

    private bool IsInclude()
    {
        if (Peek is not { Kind: TokenKind.Unquoted, Text: "include" } || PeekAt(1).Kind != TokenKind.Whitespace) return false;
        var after = PeekAt(2);
        return after.Kind == TokenKind.Quoted || after is { Kind: TokenKind.Unquoted, Text: "required(" or "file(" };
    }

    // `include "name"`, `include required("name")` or `include file("name")`; all three require the file.
    private string ParseInclude(HoconObject target, string[]? prefix)
    {
        var at = Next();
        SkipWhitespace(newlines: false);
        var wrapped = Peek.Kind == TokenKind.Unquoted;
        if (wrapped) Next();
        var nameToken = Next();
        if (nameToken.Kind != TokenKind.Quoted)
            throw new HoconException(nameToken.Position, $"expected a quoted file name after include, got {nameToken.Describe()}");
        if (wrapped && Next() is not { Kind: TokenKind.Unquoted, Text: ")" })
            throw new HoconException(nameToken.Position, "expected ')' after the included file name");

        var name = nameToken.Text;
        string fullPath, display;
        try
        {
            fullPath = Path.GetFullPath(Path.Combine(_baseDirectory, name));
            var displayDirectory = Path.GetDirectoryName(_displayName) ?? "";
            display = Path.IsPathRooted(name) || displayDirectory.Length == 0 ? name : Path.Combine(displayDirectory, name);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new HoconException(at.Position, $"bad include file name '{name}'");
        }

        var chain = _context.IncludeChain;
        var seen = chain.FindIndex(c => string.Equals(c.FullPath, fullPath, StringComparison.Ordinal));
        if (seen >= 0)
        {
            var names = chain.Skip(seen).Select(c => c.Display).Append(display);
            throw new HoconException(at.Position, "include cycle: " + string.Join(" -> ", names));
        }
        if (_context.Depth >= MaxDepth) throw new HoconException(at.Position, $"nesting deeper than {MaxDepth} levels");
        var text = FileText.Read(fullPath, display, at.Position);

        chain.Add((fullPath, display));
        _context.Depth++;
        new Parser(text, display, Path.GetDirectoryName(fullPath) ?? _baseDirectory, _context).ParseBody(target, prefix ?? Array.Empty<string>());
        _context.Depth--;
        chain.RemoveAt(chain.Count - 1);
        return $"include \"{name}\"";
    }

    private string ParseField(HoconObject target, string[]? prefix)
    {
        var (key, keyText) = ParseKey();
        SkipWhitespace(newlines: false);
        var full = prefix == null ? null : prefix.Concat(key).ToArray();
        var t = Peek;
        HoconValue value;
        switch (t.Kind)
        {
            case TokenKind.LBrace:
                value = ParseValue(full);
                break;
            case TokenKind.Separator:
                Next();
                SkipWhitespace(newlines: false);
                value = ParseValue(full, keyText);
                break;
            case TokenKind.PlusEquals:
                Next();
                SkipWhitespace(newlines: false);
                var item = ParseValue(null, keyText);
                // `a += x` is `a = ${?a} [x]`.
                var self = new HoconSubstitution(t.Position, full ?? key, optional: true, HoconPath.Render(full ?? key));
                value = new HoconConcatenation(t.Position, new List<HoconValue> { self, new HoconArray(item.Position, new List<HoconValue> { item }) });
                break;
            default:
                throw new HoconException(t.Position, $"expected '=', ':' or '{{' after key '{keyText}', got {t.Describe()}");
        }
        if (full != null) value = ReplaceSelfReferences(value, full);
        ObjectBuilder.Set(target, key, value);
        return $"the value of '{keyText}'";
    }

    // A key: unquoted and quoted pieces; dots in unquoted pieces separate path segments.
    private (string[] Path, string Text) ParseKey()
    {
        var start = Peek;
        var segments = new List<string>();
        var current = new StringBuilder();
        var raw = new StringBuilder();
        var hasContent = false;
        var any = false;
        string pendingWhitespace = "";
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.Quoted)
            {
                current.Append(pendingWhitespace).Append(t.Text);
                raw.Append(pendingWhitespace).Append('"').Append(t.Text).Append('"');
                hasContent = true;
            }
            else if (t.Kind == TokenKind.Unquoted)
            {
                current.Append(pendingWhitespace);
                raw.Append(pendingWhitespace).Append(t.Text);
                var pieces = t.Text.Split('.');
                for (var j = 0; j < pieces.Length; j++)
                {
                    if (j > 0)
                    {
                        if (!hasContent) throw BadKey(start, raw, _p + 1);
                        segments.Add(current.ToString());
                        current.Clear();
                        hasContent = false;
                    }
                    current.Append(pieces[j]);
                    if (pieces[j].Length > 0) hasContent = true;
                }
            }
            else if (t.Kind == TokenKind.Whitespace && any)
            {
                pendingWhitespace = t.Text;
                Next();
                continue;
            }
            else
            {
                break;
            }
            pendingWhitespace = "";
            any = true;
            Next();
        }
        if (!any) throw new HoconException(start.Position, $"expected a key, got {start.Describe()}");
        if (!hasContent) throw BadKey(start, raw, _p);
        segments.Add(current.ToString());
        return (segments.ToArray(), raw.ToString());
    }

    private HoconException BadKey(Token start, StringBuilder raw, int rest)
    {
        // Report the whole key as written (up to the separator) for context.
        var text = raw.ToString();
        var i = rest;
        while (_tokens[i].Kind is TokenKind.Unquoted or TokenKind.Quoted && text.Length < 80)
        {
            text += _tokens[i].Kind == TokenKind.Quoted ? "\"" + _tokens[i].Text + "\"" : _tokens[i].Text;
            i++;
        }
        return new HoconException(start.Position, $"bad key '{text}': empty path segment");
    }

    // A value: one or more parts written next to each other (concatenation), up to a newline, ',', '}', ']' or end.
    private HoconValue ParseValue(string[]? fullPath, string? keyText = null)
    {
        var parts = new List<HoconValue>();
        while (true)
        {
            var t = Peek;
            switch (t.Kind)
            {
                case TokenKind.Quoted:
                    parts.Add(new HoconScalar(t.Position, t.Text, ScalarKind.String));
                    break;
                case TokenKind.Unquoted:
                    parts.Add(new HoconScalar(t.Position, t.Text, ScalarKind.Unquoted));
                    break;
                case TokenKind.Whitespace:
                    parts.Add(new HoconScalar(t.Position, t.Text, ScalarKind.Whitespace));
                    break;
                case TokenKind.Substitution:
                    parts.Add(new HoconSubstitution(t.Position, t.Path!, t.Optional, t.Text));
                    break;
                case TokenKind.LBrace:
                    parts.Add(ParseObject(fullPath));
                    continue;
                case TokenKind.LBracket:
                    parts.Add(ParseArray());
                    continue;
                default:
                    goto done;
            }
            Next();
        }
    done:
        while (parts.Count > 0 && parts[^1] is HoconScalar { Kind: ScalarKind.Whitespace }) parts.RemoveAt(parts.Count - 1);
        while (parts.Count > 0 && parts[0] is HoconScalar { Kind: ScalarKind.Whitespace }) parts.RemoveAt(0);
        if (parts.Count == 0)
        {
            var forKey = keyText == null ? "" : $" for '{keyText}'";
            throw new HoconException(Peek.Position, $"expected a value{forKey}, got {Peek.Describe()}");
        }
        if (parts.Count == 1)
            return parts[0] is HoconScalar { Kind: ScalarKind.Unquoted } u ? HoconScalar.FromUnquoted(u.Position, u.Text) : parts[0];
        if (parts.All(p => p is HoconScalar))
            return new HoconScalar(parts[0].Position, string.Concat(parts.Select(p => ((HoconScalar)p).Text)), ScalarKind.String);
        return new HoconConcatenation(parts[0].Position, parts);
    }

    private HoconObject ParseObject(string[]? fullPath)
    {
        var open = Next();
        if (++_context.Depth > MaxDepth) throw new HoconException(open.Position, $"nesting deeper than {MaxDepth} levels");
        var result = new HoconObject(open.Position);
        _context.Scopes.Add(new Scope(result, fullPath));
        ParseFields(result, fullPath, open);
        _context.Scopes.RemoveAt(_context.Scopes.Count - 1);
        _context.Depth--;
        return result;
    }

    private HoconArray ParseArray()
    {
        var open = Next();
        if (++_context.Depth > MaxDepth) throw new HoconException(open.Position, $"nesting deeper than {MaxDepth} levels");
        var items = new List<HoconValue>();
        while (true)
        {
            SkipWhitespace(newlines: true);
            var t = Peek;
            if (t.Kind == TokenKind.RBracket)
            {
                Next();
                break;
            }
            if (t.Kind == TokenKind.End)
                throw new HoconException(t.Position, $"expected ']' to close the array opened at {open.Position.Line}:{open.Position.Column}");
            items.Add(ParseValue(null));
            SkipWhitespace(newlines: false);
            t = Peek;
            if (t.Kind == TokenKind.Comma) Next();
            else if (t.Kind is not (TokenKind.Newline or TokenKind.RBracket or TokenKind.End))
                throw new HoconException(t.Position, $"expected ',' or ']' in the array opened at {open.Position.Line}:{open.Position.Column}, got {t.Describe()}");
        }
        _context.Depth--;
        return new HoconArray(open.Position, items);
    }

    // `${path}` inside the value assigned to `path` means the earlier value: capture it now, while
    // the tree still holds it. Only the value itself, concatenation parts and list items count.
    private HoconValue ReplaceSelfReferences(HoconValue value, string[] fullPath)
    {
        switch (value)
        {
            case HoconSubstitution s when s.Path.SequenceEqual(fullPath, StringComparer.Ordinal):
                var (known, prior) = _context.LookupEarlier(fullPath);
                return known ? new HoconPriorValue(s, prior) : s;
            case HoconConcatenation c:
                for (var i = 0; i < c.Parts.Count; i++) c.Parts[i] = ReplaceSelfReferences(c.Parts[i], fullPath);
                return c;
            case HoconArray a:
                for (var i = 0; i < a.Items.Count; i++) a.Items[i] = ReplaceSelfReferences(a.Items[i], fullPath);
                return a;
            default:
                return value;
        }
    }
}
