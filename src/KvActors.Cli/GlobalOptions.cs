using System.CommandLine;
using KvActors.Client;
using KvActors.Store.Configuration;

namespace KvActors.Cli;

/// <summary>The options every kv command accepts, and how they become <see cref="AdminClientOptions"/>.</summary>
public static class GlobalOptions
{
    public static readonly Option<string> Seeds = new("--seeds")
    {
        Description = "Nodes to try, in order: host:port,...",
        DefaultValueFactory = _ => "127.0.0.1:4053",
        Recursive = true,
    };

    public static readonly Option<string?> Cert = new("--cert")
    {
        Description = "Cluster certificate (PKCS#12) when the cluster runs TLS; password from KVACTORS_CERT_PASSWORD (default: kvactors.tls.certificate, e.g. KVACTORS__TLS__CERTIFICATE, else none).",
        Recursive = true,
    };

    public static readonly Option<string?> Timeout = new("--timeout")
    {
        Description = "How long to wait for a node: 5s, 500ms, 1m (default: kvactors.client.timeout, 5s).",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Machine-readable output.", Recursive = true };

    public static readonly Option<string> Host = new("--host")
    {
        Description = "Address kv listens on for replies (nodes dial back to it).",
        DefaultValueFactory = _ => "127.0.0.1",
        Recursive = true,
    };

    public static readonly Option<string?> SystemName = new("--system")
    {
        Description = "Actor-system name of the nodes (default: kvactors.node.system-name, kvactors).",
        Recursive = true,
    };

    public static IEnumerable<Option> All => [Seeds, Cert, Timeout, Json, Host, SystemName];

    /// <summary>
    /// The client options from a parse over those from configuration (reference.conf and
    /// KVACTORS__ variables); throws <see cref="FormatException"/> with one sentence when a value is bad.
    /// </summary>
    public static AdminClientOptions ClientOptions(ParseResult parsed)
    {
        AdminClientOptions configured;
        try { configured = AdminClientOptions.FromConfig(KvConfig.Load(new ConfigSources())); }
        catch (ConfigException e) { throw new FormatException(e.Message); }
        var timeout = configured.Timeout;
        if (parsed.GetValue(Timeout) is { } timeoutText && !Durations.TryParse(timeoutText, out timeout))
            throw new FormatException($"--timeout '{timeoutText}' is not a positive duration such as 5s or 500ms.");
        IReadOnlyList<HostPort> seeds;
        try { seeds = HostPort.ParseList(parsed.GetValue(Seeds)!); }
        catch (FormatException e) { throw new FormatException($"--seeds: {e.Message}"); }
        return new AdminClientOptions
        {
            Seeds = seeds,
            Timeout = timeout,
            CertificatePath = NullIfEmpty(parsed.GetValue(Cert)) ?? configured.CertificatePath,
            CertificatePasswordVariable = configured.CertificatePasswordVariable,
            Host = parsed.GetValue(Host)!,
            SystemName = NullIfEmpty(parsed.GetValue(SystemName)) ?? configured.SystemName,
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
