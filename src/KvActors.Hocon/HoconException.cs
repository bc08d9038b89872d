namespace KvActors.Hocon;

/// <summary>
/// Every error the HOCON library reports: parse errors, unresolved substitutions, missing keys,
/// values of the wrong type. When the error has a source position the message starts with
/// <c>file:line:column: </c> and <see cref="File"/>, <see cref="Line"/>, <see cref="Column"/> are set.
/// </summary>
public sealed class HoconException : Exception
{
    public HoconException(string message) : base(message) => Reason = message;

    public HoconException(string file, int line, int column, string reason)
        : base($"{file}:{line}:{column}: {reason}")
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
    }

    internal HoconException(SourcePosition position, string reason)
        : this(position.File, position.Line, position.Column, reason) { }

    /// <summary>The file (or source name) the error is in; null when it has no position.</summary>
    public string? File { get; }
    /// <summary>1-based line, 0 when the error has no position.</summary>
    public int Line { get; }
    /// <summary>1-based column, 0 when the error has no position.</summary>
    public int Column { get; }
    /// <summary>The message without its position prefix.</summary>
    public string Reason { get; }
}
