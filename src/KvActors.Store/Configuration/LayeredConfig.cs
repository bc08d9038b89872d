using Akka.Configuration;

namespace KvActors.Store.Configuration;

/// <summary>
/// The merged configuration and the layers it was made of, highest precedence first, so that an
/// error about a key can say which file, flag or variable set it.
/// </summary>
public sealed class LayeredConfig
{
    public LayeredConfig(IReadOnlyList<ConfigLayer> layers)
    {
        Layers = layers;
        Config = layers.Select(l => l.Config).Aggregate(Config.Empty, (merged, next) => merged.IsEmpty ? next : merged.WithFallback(next));
    }

    /// <summary>Highest precedence first; the last is reference.conf.</summary>
    public IReadOnlyList<ConfigLayer> Layers { get; }

    public Config Config { get; }

    /// <summary>The name of the highest layer that sets <paramref name="key"/>, or "reference.conf".</summary>
    public string SourceOf(string key) =>
        Layers.FirstOrDefault(l => !l.Config.IsEmpty && SafeHasPath(l.Config, key))?.Source ?? KvConfig.ReferenceSource;

    /// <summary>An error about <paramref name="key"/>, prefixed with where its value came from.</summary>
    public ConfigException Error(string key, string problem) => new($"{SourceOf(key)}: {key}: {problem}");

    /// <summary>Akka's HasPath throws when a prefix of the path is a plain value; that is "not set" here.</summary>
    internal static bool SafeHasPath(Config config, string key)
    {
        try { return config.HasPath(key); }
        catch (Exception e) when (e is not OutOfMemoryException) { return false; }
    }
}
