namespace KvActors.Actor;

/// <summary>
/// Where an actor system lives: <c>kvactors://system</c> for a local-only system,
/// <c>kvactors.tcp://system@host:port</c> once remoting gives it a network address.
/// </summary>
public sealed record Address(string Protocol, string System, string? Host = null, int? Port = null)
    : IComparable<Address>
{
    public const string LocalProtocol = "kvactors";
    public const string TcpProtocol = "kvactors.tcp";

    public static Address Local(string system) => new(LocalProtocol, system);
    public static Address Tcp(string system, string host, int port) => new(TcpProtocol, system, host, port);

    public bool HasLocalScope => Host is null;
    public bool HasGlobalScope => Host is not null;

    /// <summary>host:port, the short form operators type.</summary>
    public string HostPort => Host is null ? System : $"{HostForUri}:{Port}";

    // An IPv6 literal needs brackets so its colons are not read as the port separator.
    private string? HostForUri => Host is not null && Host.Contains(':') ? $"[{Host}]" : Host;

    public override string ToString() =>
        Host is null ? $"{Protocol}://{System}" : $"{Protocol}://{System}@{HostForUri}:{Port}";

    /// <summary>Parses <c>protocol://system[@host:port]</c>; false on anything else.</summary>
    public static bool TryParse(string text, out Address address)
    {
        address = null!;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0) return false;
        var protocol = text[..schemeEnd];
        var rest = text[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/');
        if (slash >= 0) rest = rest[..slash];
        var at = rest.IndexOf('@');
        if (at < 0)
        {
            if (rest.Length == 0) return false;
            address = new Address(protocol, rest);
            return true;
        }
        var system = rest[..at];
        var hostPort = rest[(at + 1)..];
        var colon = hostPort.LastIndexOf(':');
        if (system.Length == 0 || colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], out var port) || port is < 0 or > 65535)
            return false;
        var host = hostPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        address = new Address(protocol, system, host, port);
        return true;
    }

    public static Address Parse(string text) =>
        TryParse(text, out var a) ? a : throw new FormatException($"'{text}' is not an actor system address (expected protocol://system@host:port).");

    /// <summary>Orders by host then port (then system): the order leader choice and tie-breaks use.</summary>
    public int CompareTo(Address? other)
    {
        if (other is null) return 1;
        var c = string.CompareOrdinal(Host, other.Host);
        if (c != 0) return c;
        c = Nullable.Compare(Port, other.Port);
        if (c != 0) return c;
        c = string.CompareOrdinal(System, other.System);
        return c != 0 ? c : string.CompareOrdinal(Protocol, other.Protocol);
    }
}
