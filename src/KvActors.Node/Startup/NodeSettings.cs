using KvActors.Client;
using KvActors.Store.Configuration;
using KvActors.Store.Security;

namespace KvActors.Node.Startup;

/// <summary>The kvnode settings, read and checked before anything starts.</summary>
public sealed record NodeSettings(
    string Name, string SystemName, string Host, int Port, IReadOnlyList<HostPort> Seeds,
    IReadOnlyList<string> Roles, int MinNrOfMembers, string DataDir, ClusterCertificate? Certificate)
{
    /// <summary>kvactors.node.log-client-disconnects: log Akka.Remote's events about a kv client's association ending (see ClientDisconnectFilter).</summary>
    public bool LogClientDisconnects { get; init; }

    /// <summary>kvactors.node.log-peer-disconnect-traces: log a peer's lost association with Akka's stack traces (see PeerDisconnectFilter).</summary>
    public bool LogPeerDisconnectTraces { get; init; }

    /// <summary>kvactors.node.removed-members-shown-for: how long `kv cluster show` lists a member after its removal.</summary>
    public TimeSpan ShowRemovedMembersFor { get; init; } = TimeSpan.FromMinutes(10);

    public static NodeSettings From(LayeredConfig layered)
    {
        var read = new SettingReader(layered);
        var host = read.GetString("kvactors.remote.host").Trim();
        if (host.Length == 0) throw layered.Error("kvactors.remote.host", "expected a host name or IP address, got ''.");
        var port = read.GetInt("kvactors.remote.port", 0, 65535);
        var name = read.GetString("kvactors.node.name");
        // An unnamed node is called by its endpoint, which is unique within a cluster.
        if (name.Length == 0) name = $"{host}:{port}";
        var systemName = read.GetString("kvactors.node.system-name");
        if (systemName.Length == 0 || !systemName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw layered.Error("kvactors.node.system-name", $"expected letters, digits, '-' or '_', got '{systemName}'.");
        var seeds = read.GetStringList("kvactors.cluster.seeds")
            .Select(s => HostPort.TryParse(s, out var error) ?? throw layered.Error("kvactors.cluster.seeds", error!))
            .ToList();
        var dataDir = read.GetString("kvactors.node.data-dir");
        if (dataDir.Trim().Length == 0) throw layered.Error("kvactors.node.data-dir", "expected a directory, got ''.");
        var certificatePath = read.GetString("kvactors.tls.certificate");
        ClusterCertificate? certificate = null;
        if (certificatePath.Length > 0)
        {
            try { certificate = ClusterCertificate.Load(certificatePath, read.GetString("kvactors.tls.password-variable")); }
            catch (CertificateException e) { throw layered.Error("kvactors.tls.certificate", e.Message); }
        }
        if (BindPolicy.Refusal(host, certificate is not null) is { } refusal) throw new ConfigException(refusal);
        return new NodeSettings(name, systemName, host, port, seeds, read.GetStringList("kvactors.cluster.roles"),
            read.GetInt("kvactors.cluster.min-nr-of-members", 1, 1000), dataDir, certificate)
        {
            LogClientDisconnects = read.GetBool("kvactors.node.log-client-disconnects"),
            LogPeerDisconnectTraces = read.GetBool("kvactors.node.log-peer-disconnect-traces"),
            ShowRemovedMembersFor = read.GetDuration("kvactors.node.removed-members-shown-for", TimeSpan.Zero),
        };
    }
}
