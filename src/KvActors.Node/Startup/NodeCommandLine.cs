using System.CommandLine;

namespace KvActors.Node.Startup;

/// <summary>
/// kvnode's flags. -D/--config-set settings are taken out first (they are HOCON's, see
/// ConfigOverrides) and System.CommandLine parses the rest, so it never sees "-Dkey=value".
/// Every flag is read as text and checked by the settings reader, so a bad value gets the same
/// one-sentence error as a bad config line.
/// </summary>
public static class NodeCommandLine
{
    private static readonly Option<string?> ConfigOption = new("--config") { Description = "HOCON file with this node's settings (over hocon/reference.conf)." };
    private static readonly Option<string?> HostOption = new("--host") { Description = "Address to bind and advertise (kvactors.remote.host)." };
    private static readonly Option<string?> PortOption = new("--port") { Description = "TCP port (kvactors.remote.port); 0 picks a free one." };
    private static readonly Option<string?> SeedsOption = new("--seeds") { Description = "Seed nodes as host:port,... (kvactors.cluster.seeds)." };
    private static readonly Option<string?> NameOption = new("--name") { Description = "Node name shown in logs (kvactors.node.name)." };
    private static readonly Option<string?> DataDirOption = new("--data-dir") { Description = "Directory for this node's data (kvactors.node.data-dir)." };
    private static readonly Option<string?> RespPortOption = new("--resp-port") { Description = "Port for Redis clients (kvactors.resp.port); 0 = off." };
    private static readonly Option<string?> CertOption = new("--cert") { Description = "Cluster certificate, PKCS#12 (kvactors.tls.certificate); password from KVACTORS_CERT_PASSWORD." };

    /// <summary>
    /// Parses <paramref name="args"/>. Returns null when help or version was asked for and
    /// printed; throws <see cref="UsageException"/> on a bad flag.
    /// </summary>
    public static NodeArguments? Parse(string[] args)
    {
        var (settings, rest) = SplitSettings(args);
        var root = new RootCommand("kvnode: one KvActors cluster node. Settings: -Dkey=value or --config-set key=value override any HOCON key (kvactors.* or akka.*).")
        {
            ConfigOption, HostOption, PortOption, SeedsOption, NameOption, DataDirOption, CertOption, RespPortOption,
        };
        var parsed = root.Parse(rest);
        if (parsed.Errors.Count > 0) throw new UsageException(parsed.Errors[0].Message);
        var run = false;
        root.SetAction(_ => { run = true; return 0; });
        parsed.Invoke(); // prints --help / --version, or runs the action above
        if (!run) return null;
        return new NodeArguments
        {
            ConfigFile = parsed.GetValue(ConfigOption),
            Host = parsed.GetValue(HostOption),
            Port = parsed.GetValue(PortOption),
            Seeds = parsed.GetValue(SeedsOption),
            Name = parsed.GetValue(NameOption),
            DataDir = parsed.GetValue(DataDirOption),
            Certificate = parsed.GetValue(CertOption),
            RespPort = parsed.GetValue(RespPortOption),
            Settings = settings,
        };
    }

    private static (List<string> Settings, List<string> Others) SplitSettings(string[] args)
    {
        var settings = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith("-D", StringComparison.Ordinal) && a.Length > 2) settings.Add(a[2..]);
            else if (a.StartsWith("--config-set=", StringComparison.Ordinal)) settings.Add(a["--config-set=".Length..]);
            else if (a == "--config-set")
            {
                if (i + 1 >= args.Length) throw new UsageException("--config-set needs key=value after it.");
                settings.Add(args[++i]);
            }
            else rest.Add(a);
        }
        return (settings, rest);
    }
}
