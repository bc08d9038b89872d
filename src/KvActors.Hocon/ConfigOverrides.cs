using System.Collections;

namespace KvActors.Hocon;

/// <summary>
/// Settings from the command line and the environment, any key of the config.
/// <list type="bullet">
/// <item>Environment: <c>KVACTORS__REMOTE__PORT=4053</c> sets <c>kvactors.remote.port</c>. The variable name is
/// the key path upper-cased with <c>.</c> written as <c>__</c> and <c>-</c> written as <c>_</c>
/// (<c>KVACTORS__ACTOR__DEFAULT_DISPATCHER__THROUGHPUT</c> = <c>kvactors.actor.default-dispatcher.throughput</c>).
/// Only variables starting with <c>KVACTORS__</c> count.</item>
/// <item>Command line: <c>-Dkvactors.remote.port=4053</c>, <c>--config-set kvactors.remote.port=4053</c> or
/// <c>--config-set=kvactors.remote.port=4053</c>; later flags win.</item>
/// </list>
/// Values are HOCON values (<c>[a, b]</c>, <c>500ms</c>, <c>"quoted"</c>); substitutions in them resolve
/// only against the other overrides of the same source.
/// </summary>
public static class ConfigOverrides
{
    public const string EnvironmentPrefix = "KVACTORS__";

    /// <summary>Overrides from <paramref name="env"/> (the process environment when null).</summary>
    public static Config FromEnvironment(IDictionary? env = null)
    {
        env ??= Environment.GetEnvironmentVariables();
        var root = new HoconObject(new SourcePosition("<environment>", 1, 1));
        // Sorted so the result does not depend on the dictionary's order.
        var names = env.Keys.OfType<string>().Where(k => k.StartsWith(EnvironmentPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var path = EnvironmentVariableToPath(name)
                ?? throw new HoconException($"environment variable {name}: bad name (expected KVACTORS__SECTION__KEY)");
            var text = env[name]?.ToString() ?? "";
            ObjectBuilder.Set(root, path, Parser.ParseSingleValue(text, name));
        }
        return Config.FromResolved(Resolver.Resolve(root));
    }

    /// <summary>Overrides from <c>-Dkey=value</c> and <c>--config-set key=value</c>; other arguments are ignored.</summary>
    public static Config FromArgs(IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new HoconObject(new SourcePosition("<command line>", 1, 1));
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current ?? "";
            string flag, setting;
            if (arg.StartsWith("-D", StringComparison.Ordinal) && arg.Length > 2)
            {
                flag = "-D";
                setting = arg[2..];
            }
            else if (arg.StartsWith("--config-set=", StringComparison.Ordinal))
            {
                flag = "--config-set";
                setting = arg["--config-set=".Length..];
            }
            else if (arg == "--config-set")
            {
                flag = "--config-set";
                setting = e.MoveNext() ? e.Current ?? "" : throw new HoconException("--config-set needs key=value after it");
            }
            else
            {
                continue;
            }
            var eq = setting.IndexOf('=');
            if (eq < 0) throw new HoconException($"{flag}{(flag == "-D" ? "" : " ")}{setting}: expected key=value");
            var key = setting[..eq].Trim();
            var source = flag == "-D" ? "-D" + key : "--config-set " + key;
            var path = HoconPath.TryParse(key) ?? throw new HoconException($"{source}: bad key '{key}'");
            ObjectBuilder.Set(root, path, Parser.ParseSingleValue(setting[(eq + 1)..], source));
        }
        return Config.FromResolved(Resolver.Resolve(root));
    }

    /// <summary><c>KVACTORS__REMOTE__PORT</c> to <c>kvactors.remote.port</c>; null when the name maps to no valid path.</summary>
    public static string[]? EnvironmentVariableToPath(string name)
    {
        var segments = name.Split("__");
        if (segments.Any(s => s.Length == 0)) return null;
        return segments.Select(s => s.ToLowerInvariant().Replace('_', '-')).ToArray();
    }

    /// <summary><c>kvactors.remote.port</c> to <c>KVACTORS__REMOTE__PORT</c>, the variable that overrides it.</summary>
    public static string PathToEnvironmentVariable(string path) =>
        path.ToUpperInvariant().Replace("-", "_").Replace(".", "__");
}
