namespace KvActors.Hocon;

/// <summary>An object being filled by the parser and its absolute path (null inside lists, where keys have no absolute path).</summary>
internal sealed record Scope(HoconObject Object, string[]? Prefix);

/// <summary>State shared by the parser of a document and the parsers of the files it includes.</summary>
internal sealed class ParseContext
{
    /// <summary>Files being parsed, outermost first, to refuse include cycles.</summary>
    public List<(string FullPath, string Display)> IncludeChain { get; } = new();

    /// <summary>Objects being filled, outermost first; inner ones hold the newest assignments.</summary>
    public List<Scope> Scopes { get; } = new();

    /// <summary>Current nesting of objects, lists and includes, bounded so no input can overflow the stack.</summary>
    public int Depth { get; set; }

    /// <summary>
    /// The value <paramref name="path"/> holds so far. Known=false when that depends on a substitution
    /// (the resolver then treats the reference like any other).
    /// </summary>
    public (bool Known, HoconValue? Value) LookupEarlier(string[] path)
    {
        for (var s = Scopes.Count - 1; s >= 0; s--)
        {
            var (obj, prefix) = Scopes[s];
            if (prefix == null || prefix.Length >= path.Length || !path.Take(prefix.Length).SequenceEqual(prefix, StringComparer.Ordinal)) continue;
            HoconValue current = obj;
            var missing = false;
            for (var i = prefix.Length; i < path.Length; i++)
            {
                switch (current)
                {
                    case HoconObject o when o.Fields.TryGetValue(path[i], out var child):
                        current = child;
                        continue;
                    case HoconObject:
                        missing = true; // not written in this scope; an outer one may have it
                        break;
                    case HoconScalar or HoconArray:
                        return (true, null); // a non-object on the way: the path had no value
                    default:
                        return (false, null);
                }
                break;
            }
            if (!missing) return (true, current);
        }
        return (true, null);
    }
}
