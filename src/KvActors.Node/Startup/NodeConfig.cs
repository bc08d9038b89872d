using System.Text;
using System.Text.Json;
using KvActors.Client;
using KvActors.Hocon;

namespace KvActors.Node.Startup;

/// <summary>
/// Builds a node's configuration, highest precedence first: named flags (--port...), -D settings,
/// KVACTORS__ variables, the --config file, the node's own defaults, reference.conf. This is
/// Config.Load's chain with two layers added: named flags on top, and below the file the
/// defaults a node needs that reference.conf does not give (a cluster member).
/// </summary>
public static class NodeConfig
{
    /// <summary>What kvnode sets differently from reference.conf, which describes a plain local actor system.</summary>
    private const string NodeDefaults = """
        kvactors.actor.provider = cluster
        """;

    public static Config Build(NodeArguments args, System.Collections.IDictionary? env = null)
    {
        var baseConfig = ConfigOverrides.FromArgs(args.Settings)
            .WithFallback(ConfigOverrides.FromEnvironment(env))
            .WithFallback(args.ConfigFile is null ? Config.Empty : Config.ParseFile(args.ConfigFile))
            .WithFallback(Config.Parse(NodeDefaults, "<kvnode defaults>"))
            .WithFallback(Config.Reference);
        // The seed addresses name the system, which the layers below may have renamed.
        var systemName = baseConfig.GetString("kvactors.node.system-name", AdminClientOptions.DefaultSystemName);
        return Flags(args, systemName).WithFallback(baseConfig);
    }

    private static Config Flags(NodeArguments args, string systemName)
    {
        var text = new StringBuilder();
        void Set(string key, string hoconValue) => text.Append(key).Append(" = ").Append(hoconValue).Append('\n');
        if (args.Host is not null) Set("kvactors.remote.hostname", Quote(args.Host));
        if (args.Port is { } port)
        {
            if (port is < 0 or > 65535) throw new UsageException($"--port must be 0..65535, not {port}.");
            Set("kvactors.remote.port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (args.Secret is not null) Set("kvactors.remote.secret", Quote(args.Secret));
        if (args.Name is not null) Set("kvactors.node.name", Quote(args.Name));
        if (args.DataDir is not null) Set("kvactors.persistence.data-dir", Quote(args.DataDir));
        if (args.Seeds is not null)
        {
            IReadOnlyList<HostPort> seeds;
            try { seeds = HostPort.ParseList(args.Seeds); }
            catch (FormatException e) { throw new UsageException($"--seeds: {e.Message}"); }
            var addresses = seeds.Select(s => Quote($"kvactors.tcp://{systemName}@{s.Host}:{s.Port}"));
            Set("kvactors.cluster.seed-nodes", "[" + string.Join(", ", addresses) + "]");
        }
        return Config.Parse(text.ToString(), "<command line>");
    }

    /// <summary>A HOCON quoted string; JSON's escaping is valid HOCON.</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
