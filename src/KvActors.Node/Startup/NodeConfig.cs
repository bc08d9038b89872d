using System.Text;
using KvActors.Store.Configuration;

namespace KvActors.Node.Startup;

/// <summary>
/// A node's configuration, highest precedence first: named flags (--port...), -D settings,
/// KVACTORS__/AKKA__ variables, the --config file, reference.conf. Named flags are written as
/// the kvactors.* keys they stand for, so they are checked like any other setting.
/// </summary>
public static class NodeConfig
{
    public static LayeredConfig Load(NodeArguments args, System.Collections.IDictionary? environment = null) =>
        KvConfig.Load(new ConfigSources
        {
            File = args.ConfigFile,
            Settings = args.Settings,
            Flags = Flags(args),
            Environment = environment,
        });

    private static string Flags(NodeArguments args)
    {
        var text = new StringBuilder();
        void Set(string key, string? value)
        {
            if (value is not null) text.Append(key).Append(" = ").Append(ConfigOverrides.Quote(value)).Append('\n');
        }
        Set("kvactors.remote.host", args.Host);
        Set("kvactors.remote.port", args.Port);
        Set("kvactors.node.name", args.Name);
        Set("kvactors.node.data-dir", args.DataDir);
        Set("kvactors.tls.certificate", args.Certificate);
        Set("kvactors.resp.port", args.RespPort);
        if (args.Seeds is not null)
        {
            var seeds = args.Seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            text.Append("kvactors.cluster.seeds = [").Append(string.Join(", ", seeds.Select(ConfigOverrides.Quote))).Append("]\n");
        }
        return text.ToString();
    }
}
