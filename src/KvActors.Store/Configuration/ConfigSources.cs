using System.Collections;

namespace KvActors.Store.Configuration;

/// <summary>
/// Where an executable's settings come from, besides reference.conf: the --config file, the
/// -Dkey=value / --config-set key=value settings in order, named flags already turned into
/// HOCON lines, and the process environment.
/// </summary>
public sealed record ConfigSources
{
    public string? File { get; init; }

    /// <summary>"key=value" texts (the -D or --config-set prefix removed); later ones win.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>HOCON lines from named flags (--port...), the highest layer.</summary>
    public string? Flags { get; init; }

    /// <summary>Null = the process environment.</summary>
    public IDictionary? Environment { get; init; }
}
