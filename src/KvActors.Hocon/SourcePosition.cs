namespace KvActors.Hocon;

/// <summary>Where a token or value was written: file (or source name), 1-based line and column.</summary>
internal readonly record struct SourcePosition(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
