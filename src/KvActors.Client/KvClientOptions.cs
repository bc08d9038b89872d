namespace KvActors.Client;

/// <summary>How <see cref="KvClient"/> finds the cluster and how long it keeps trying each request.</summary>
public sealed record KvClientOptions
{
    /// <summary>Nodes to ask for the ring, in order of preference.</summary>
    public IReadOnlyList<HostPort> Seeds { get; init; } = [new HostPort("127.0.0.1", 4053)];

    /// <summary>The deadline of each request, its retries included (and of connecting).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest one attempt waits for an answer before the request is sent again (same request id). An attempt sent
    /// to a primary that a newer ring replaced is sent again as soon as the client has that ring, without waiting.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The cluster certificate (PKCS#12) when the cluster runs mutual TLS; null = plain TCP (loopback).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The environment variable holding the certificate's password, if it has one.</summary>
    public string CertificatePasswordVariable { get; init; } = "KVACTORS_CERT_PASSWORD";

    /// <summary>The address this client listens on for replies; nodes must be able to reach it.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The actor-system name of the nodes (kvactors.node.system-name).</summary>
    public string SystemName { get; init; } = AdminClientOptions.DefaultSystemName;

    /// <summary>How often the client asks for the ring even when nothing told it the ring changed.</summary>
    public TimeSpan RingRefreshInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The same connection settings as an admin client's (kv's global options).</summary>
    public static KvClientOptions From(AdminClientOptions admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        return new KvClientOptions
        {
            Seeds = admin.Seeds,
            Timeout = admin.Timeout,
            CertificatePath = admin.CertificatePath,
            CertificatePasswordVariable = admin.CertificatePasswordVariable,
            Host = admin.Host,
            SystemName = admin.SystemName,
        };
    }
}
