using System.Globalization;

namespace KvActors.Client;

/// <summary>A node's remoting endpoint as operators write it: "host:port".</summary>
public sealed record HostPort(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";

    /// <summary>Parses "host:port"; null with a one-sentence <paramref name="error"/> when it is not one.</summary>
    public static HostPort? TryParse(string text, out string? error)
    {
        var trimmed = text.Trim();
        // The last colon splits, so a bracketed IPv6 literal ("[::1]:4053") keeps its own colons.
        var colon = trimmed.LastIndexOf(':');
        if (colon <= 0 || colon == trimmed.Length - 1)
        {
            error = $"'{trimmed}' is not a host:port address.";
            return null;
        }
        var host = trimmed[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(trimmed[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"'{trimmed}' has no valid port (1..65535).";
            return null;
        }
        error = null;
        return new HostPort(host, port);
    }

    /// <summary>Parses a comma-separated list ("a:4053,b:4053"); throws <see cref="FormatException"/> with one sentence.</summary>
    public static IReadOnlyList<HostPort> ParseList(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new FormatException("The seed list is empty: give host:port[,host:port...].");
        return parts.Select(p => TryParse(p, out var error) ?? throw new FormatException(error)).ToList();
    }
}
