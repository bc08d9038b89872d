using System.Globalization;
using Akka.Actor;

namespace KvActors.Store.Shards;

/// <summary>A node's Akka address from its name in the ring ("host:port"), with this system's protocol and name.</summary>
internal static class NodeAddress
{
    public static bool TryParse(string node, Address self, out Address address)
    {
        address = null!;
        var colon = node.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(node.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return false;
        address = new Address(self.Protocol, self.System, node[..colon], port);
        return true;
    }
}
