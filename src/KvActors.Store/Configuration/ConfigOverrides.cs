using System.Collections;
using System.Text;
using Akka.Configuration;

namespace KvActors.Store.Configuration;

/// <summary>
/// Turns -D settings and environment variables into HOCON. Variables map to keys by upper-casing
/// the path, writing '.' as "__" and '-' as '_': KVACTORS__REMOTE__PORT is kvactors.remote.port,
/// AKKA__CLUSTER__FAILURE_DETECTOR__THRESHOLD is akka.cluster.failure-detector.threshold. Only
/// variables starting with KVACTORS__ or AKKA__ count. Values are HOCON values (500ms, [a, b]).
/// </summary>
public static class ConfigOverrides
{
    private static readonly string[] Prefixes = ["KVACTORS__", "AKKA__"];

    public static Config FromSettings(IReadOnlyList<string> settings, string source)
    {
        var text = new StringBuilder();
        foreach (var setting in settings)
        {
            var eq = setting.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ConfigException($"{source}: '{setting}' is not key=value.");
            var key = setting[..eq].Trim();
            CheckKey(key, source);
            text.Append(key).Append(" = ").Append(ValueText(setting[(eq + 1)..])).Append('\n');
        }
        return Parse(text.ToString(), source);
    }

    public static Config FromEnvironment(IDictionary? environment, string source)
    {
        environment ??= System.Environment.GetEnvironmentVariables();
        var text = new StringBuilder();
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is not string name || entry.Value is not string value) continue;
            var prefix = Prefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal));
            if (prefix is null) continue;
            text.Append(KeyOf(name)).Append(" = ").Append(ValueText(value)).Append('\n');
        }
        return Parse(text.ToString(), source);
    }

    /// <summary>KVACTORS__REMOTE__PORT -> kvactors.remote.port.</summary>
    public static string KeyOf(string variable) =>
        string.Join('.', variable.Split("__").Select(part => part.ToLowerInvariant().Replace('_', '-')));

    /// <summary>kvactors.remote.port -> KVACTORS__REMOTE__PORT.</summary>
    public static string VariableOf(string key) =>
        string.Join("__", key.Split('.').Select(part => part.ToUpperInvariant().Replace('-', '_')));

    /// <summary>A value that is not valid HOCON on its own (a path, a host with a colon) is taken as a string.</summary>
    private static string ValueText(string raw)
    {
        var value = raw.Trim();
        if (value.Length == 0) return "\"\"";
        // Akka's parser takes "[a" or "{" without complaint (or loops on "${"): such a value is a string.
        if (HoconSyntax.Unbalanced(value) is not null) return Quote(value);
        try
        {
            ConfigurationFactory.ParseString("x = " + value);
            // ':' and '/' would be read as HOCON separators or comments ("//"): quote such values.
            if (!value.StartsWith('"') && !value.StartsWith('[') && !value.StartsWith('{') && (value.Contains("//") || value.Contains(':')))
                return Quote(value);
            return value;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Quote(value);
        }
    }

    public static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static void CheckKey(string key, string source)
    {
        if (key.Length == 0 || key.Split('.').Any(p => p.Length == 0 || p.Any(c => char.IsWhiteSpace(c) || c is '"' or '=' or '{' or '}' or '[' or ']')))
            throw new ConfigException($"{source}: '{key}' is not a valid setting key (expected a dotted path like kvactors.remote.port).");
    }

    private static Config Parse(string text, string source)
    {
        if (text.Length == 0) return Config.Empty;
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigException($"{source}: {HoconSyntax.Describe(e, text)}", e);
        }
        return HoconSyntax.KeyWithoutValue(config) is { } problem ? throw new ConfigException($"{source}: {KvConfig.Sentence(problem)}") : config;
    }
}
