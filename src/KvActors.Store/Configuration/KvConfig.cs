using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace KvActors.Store.Configuration;

/// <summary>
/// Loads the configuration chain every executable uses, highest precedence first: named flags,
/// -D/--config-set settings, environment variables, the --config file, reference.conf (and under
/// it Akka's own defaults, which each Akka module adds when it starts). Checks that every
/// `kvactors.*` key is one reference.conf defines.
/// </summary>
public static class KvConfig
{
    public const string ReferenceSource = "reference.conf";
    private const string ResourceName = "KvActors.reference.conf";

    private static readonly Lazy<Config> LazyReference = new(() =>
    {
        using var stream = typeof(KvConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded {ResourceName} is missing from {typeof(KvConfig).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        // Akka.Cluster.Tools adds its defaults (with its serializer bindings) only when first used;
        // a system created without them would send singleton and pub-sub messages as JSON.
        return ConfigurationFactory.ParseString(reader.ReadToEnd())
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(DistributedPubSub.DefaultConfig());
    });

    /// <summary>
    /// hocon/reference.conf (every kvactors default and the Akka defaults we change) over the
    /// defaults of Akka.Cluster.Tools.
    /// </summary>
    public static Config Reference => LazyReference.Value;

    public static LayeredConfig Load(ConfigSources sources)
    {
        var layers = new List<ConfigLayer>();
        if (!string.IsNullOrWhiteSpace(sources.Flags)) layers.Add(new("command-line flags", Parse(sources.Flags, "command-line flags")));
        layers.Add(new("-D settings", ConfigOverrides.FromSettings(sources.Settings, "-D settings")));
        layers.Add(new("environment", ConfigOverrides.FromEnvironment(sources.Environment, "environment")));
        if (sources.File is { } file) layers.Add(new(file, ParseFile(file)));
        layers.Add(new(ReferenceSource, Reference));
        var layered = new LayeredConfig(layers);
        KnownKeys.Check(layered, Reference);
        return layered;
    }

    /// <summary>Parses a HOCON file; `include "other.conf"` is resolved relative to its folder.</summary>
    public static Config ParseFile(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: the config file does not exist.");
        return ParseFileCore(Path.GetFullPath(path), path, new HashSet<string>(StringComparer.Ordinal));
    }

    private static Config ParseFileCore(string fullPath, string shownAs, HashSet<string> including)
    {
        if (!including.Add(fullPath)) throw new ConfigException($"{shownAs}: includes itself through a cycle of includes.");
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{shownAs}: the config file cannot be read: {Sentence(e.Message)}", e);
        }
        var folder = Path.GetDirectoryName(fullPath)!;
        HoconRoot Include(string target)
        {
            var included = Path.GetFullPath(Path.Combine(folder, target));
            // Akka calls back for optional includes too; a missing file is an error here, as a typo would be.
            if (!File.Exists(included)) throw new ConfigException($"{shownAs}: included file '{target}' does not exist.");
            return new HoconRoot(ParseFileCore(included, target, including).Root);
        }
        // Akka's parser drops what follows a stray brace and loops forever on some unclosed ones: checked first.
        if (HoconSyntax.Unbalanced(text) is { } unbalanced) throw new ConfigException($"{shownAs}: {Sentence(unbalanced)}");
        try
        {
            return Checked(ConfigurationFactory.ParseString(text, Include), shownAs);
        }
        catch (ConfigException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigException($"{shownAs}: {HoconSyntax.Describe(e, text)}", e);
        }
        finally
        {
            including.Remove(fullPath);
        }
    }

    private static Config Parse(string text, string source)
    {
        if (HoconSyntax.Unbalanced(text) is { } unbalanced) throw new ConfigException($"{source}: {Sentence(unbalanced)}");
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigException($"{source}: {HoconSyntax.Describe(e, text)}", e);
        }
        return Checked(config, source);
    }

    /// <summary>Akka keeps a line such as "a b c" as a key without a value: refused here.</summary>
    private static Config Checked(Config config, string source) =>
        HoconSyntax.KeyWithoutValue(config) is { } problem ? throw new ConfigException($"{source}: {Sentence(problem)}") : config;

    /// <summary>One line, ending with a full stop.</summary>
    public static string Sentence(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        return line.EndsWith('.') || line.EndsWith('?') ? line : line + ".";
    }
}
