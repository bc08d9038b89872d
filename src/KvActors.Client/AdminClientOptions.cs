using KvActors.Store.Configuration;

namespace KvActors.Client;

/// <summary>How <see cref="AdminClient"/> finds and talks to a node.</summary>
public sealed record AdminClientOptions
{
    public const string DefaultSystemName = "kvactors";

    /// <summary>Nodes to try, in order of preference; the first that answers is used.</summary>
    public IReadOnlyList<HostPort> Seeds { get; init; } = [new HostPort("127.0.0.1", 4053)];

    /// <summary>How long to wait for a node to answer (finding one, and each request after).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The cluster certificate (PKCS#12) when the cluster runs mutual TLS; null = plain TCP (loopback).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The environment variable holding the certificate's password, if it has one.</summary>
    public string CertificatePasswordVariable { get; init; } = "KVACTORS_CERT_PASSWORD";

    /// <summary>
    /// The address this client listens on for replies. Nodes dial back to it, so against
    /// non-loopback nodes it must be an address they can reach.
    /// </summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The actor-system name of the nodes (kvactors.node.system-name).</summary>
    public string SystemName { get; init; } = DefaultSystemName;

    /// <summary>
    /// The options configuration gives (kvactors.client.timeout, kvactors.tls.certificate and
    /// password-variable, kvactors.node.system-name), so KVACTORS__ variables apply to kv as they
    /// do to kvnode; command-line flags override them. Throws a one-sentence <see cref="ConfigException"/>.
    /// </summary>
    public static AdminClientOptions FromConfig(LayeredConfig layered)
    {
        var read = new SettingReader(layered);
        var certificate = read.GetString("kvactors.tls.certificate").Trim();
        return new AdminClientOptions
        {
            Timeout = read.GetDuration("kvactors.client.timeout", TimeSpan.FromMilliseconds(1)),
            CertificatePath = certificate.Length == 0 ? null : certificate,
            CertificatePasswordVariable = read.GetString("kvactors.tls.password-variable"),
            SystemName = read.GetString("kvactors.node.system-name"),
        };
    }
}
