using System.Globalization;

namespace KvActors.Resp.Cluster;

/// <summary>
/// How a node announces its RESP port to the others: a cluster role <c>resp-PORT</c> (no colon: Akka.Cluster.Hosting writes roles into HOCON unquoted), set when the node starts (its
/// listener is bound before the actor system, so the port is known). Roles travel with Akka's membership gossip and
/// vanish with the member, so every node knows every live member's RESP port with no protocol of our own; the host is
/// the member's own (the RESP listener binds the node's <c>kvactors.remote.host</c>).
/// </summary>
public static class RespRole
{
    private const string Prefix = "resp-";

    public static string Of(int port) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{port}");

    /// <summary>The RESP port a member's roles announce; null when it serves no RESP.</summary>
    public static int? PortIn(IEnumerable<string> roles)
    {
        foreach (var role in roles)
            if (role.StartsWith(Prefix, StringComparison.Ordinal)
                && int.TryParse(role.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port is > 0 and <= 65535)
                return port;
        return null;
    }
}
