namespace KvActors.Hocon;

/// <summary>
/// A node of the HOCON tree. After resolution only <see cref="HoconScalar"/>, <see cref="HoconObject"/>
/// and <see cref="HoconArray"/> remain; the other kinds exist between parsing and resolution.
/// </summary>
internal abstract class HoconValue
{
    protected HoconValue(SourcePosition position) => Position = position;

    /// <summary>Where the value was written; error messages about it point here.</summary>
    public SourcePosition Position { get; }

    /// <summary>How the value reads in "expected ..., got X" messages.</summary>
    public abstract string Describe();
}
