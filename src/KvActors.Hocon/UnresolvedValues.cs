namespace KvActors.Hocon;

// The node kinds that exist only between parsing and resolution (see Resolver).

/// <summary><c>${path}</c> or <c>${?path}</c>, looked up in the whole merged root.</summary>
internal sealed class HoconSubstitution : HoconValue
{
    public HoconSubstitution(SourcePosition position, IReadOnlyList<string> path, bool optional, string expression) : base(position)
    {
        Path = path;
        Optional = optional;
        Expression = expression;
    }

    public IReadOnlyList<string> Path { get; }
    public bool Optional { get; }
    public string Expression { get; }

    public string Text => "${" + (Optional ? "?" : "") + Expression + "}";

    public override string Describe() => "'" + Text + "'";
}

/// <summary>
/// A substitution of the key's own path (<c>path = ${path}":/x"</c>, or the implicit one in <c>+=</c>):
/// it means the value the key had before this assignment, captured while parsing. <see cref="Prior"/>
/// is null when the key had no earlier value.
/// </summary>
internal sealed class HoconPriorValue : HoconValue
{
    public HoconPriorValue(HoconSubstitution reference, HoconValue? prior) : base(reference.Position)
    {
        Reference = reference;
        Prior = prior;
    }

    public HoconSubstitution Reference { get; }
    public HoconValue? Prior { get; }

    public override string Describe() => Reference.Describe();
}

/// <summary>Values written next to each other (<c>a = hello world</c>, <c>${a} [1]</c>), joined at resolution.</summary>
internal sealed class HoconConcatenation : HoconValue
{
    public HoconConcatenation(SourcePosition position, List<HoconValue> parts) : base(position) => Parts = parts;

    public List<HoconValue> Parts { get; }

    public override string Describe() => "a concatenation";
}

/// <summary>
/// Several assignments to one key whose outcome depends on substitutions (a later one may be an
/// object that merges with an earlier one, or an undefined <c>${?x}</c> that keeps the earlier one).
/// Layers are in file order; the resolver decides from the last one backwards.
/// </summary>
internal sealed class HoconDelayedMerge : HoconValue
{
    public HoconDelayedMerge(SourcePosition position, List<HoconValue> layers) : base(position) => Layers = layers;

    public List<HoconValue> Layers { get; }

    public override string Describe() => "a merged value";
}
