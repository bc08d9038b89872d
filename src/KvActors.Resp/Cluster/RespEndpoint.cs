using System.Globalization;

namespace KvActors.Resp.Cluster;

/// <summary>Where a node serves RESP: its host and port, as CLUSTER SLOTS and CLUSTER NODES name it.</summary>
public readonly record struct RespEndpoint(string Host, int Port)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
