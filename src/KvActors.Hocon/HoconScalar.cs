namespace KvActors.Hocon;

internal enum ScalarKind
{
    /// <summary>Quoted, or produced by concatenation.</summary>
    String,
    Unquoted,
    Number,
    Boolean,
    Null,
    /// <summary>Whitespace between concatenated values; only lives inside a concatenation.</summary>
    Whitespace,
}

/// <summary>A string, number, boolean or null. Every scalar keeps its text; getters convert it.</summary>
internal sealed class HoconScalar : HoconValue
{
    public HoconScalar(SourcePosition position, string text, ScalarKind kind) : base(position)
    {
        Text = text;
        Kind = kind;
    }

    public string Text { get; }
    public ScalarKind Kind { get; }

    public override string Describe()
    {
        if (Kind == ScalarKind.Null) return "null";
        var shown = Text.Length <= 60 ? Text : Text[..60] + "...";
        return "'" + shown + "'";
    }

    /// <summary>The scalar for one unquoted token: true/false/null and numbers keep their type.</summary>
    public static HoconScalar FromUnquoted(SourcePosition position, string text)
    {
        var kind = text switch
        {
            "true" or "false" => ScalarKind.Boolean,
            "null" => ScalarKind.Null,
            _ => IsNumber(text) ? ScalarKind.Number : ScalarKind.Unquoted,
        };
        return new HoconScalar(position, text, kind);
    }

    private static bool IsNumber(string text) =>
        text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-')
        && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
}
