using System.Net;

namespace KvActors.Store.Security;

/// <summary>Nothing listens beyond loopback without mutual TLS: the rule and its one-sentence refusal.</summary>
public static class BindPolicy
{
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Null when binding <paramref name="host"/> is allowed, else why not.</summary>
    public static string? Refusal(string host, bool hasCertificate) =>
        hasCertificate || IsLoopback(host)
            ? null
            : $"Binding {host}, a non-loopback address, requires a cluster certificate: create one with `kv cert create --out cluster.pfx` and start every node with --cert cluster.pfx.";
}
