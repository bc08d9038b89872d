using System.Security.Cryptography;
using System.Text;
using KvActors.Store.Partitioning;

namespace KvActors.Resp.Cluster;

/// <summary>
/// The placement CLUSTER SLOTS / SHARDS / NODES / INFO report, at one moment: the ring this node applied last (null
/// before the first), this node, and the RESP endpoint of every live member that serves RESP.
/// </summary>
public sealed record TopologySnapshot(RingState? Ring, NodeId Self, RespEndpoint SelfEndpoint, IReadOnlyDictionary<NodeId, RespEndpoint> Endpoints)
{
    /// <summary>A node's Redis Cluster id: 40 hex digits, the SHA-1 of its ring name, so every node derives the same one.</summary>
    public static string IdOf(NodeId node) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(node.Value)));

    /// <summary>
    /// The RESP endpoint that serves a partition led by <paramref name="primary"/>: its own, or this node's when it serves
    /// no RESP (any node answers any key, forwarding inside the cluster).
    /// </summary>
    public (NodeId Node, RespEndpoint Endpoint) Serving(NodeId primary) =>
        Endpoints.TryGetValue(primary, out var endpoint) ? (primary, endpoint) : (Self, SelfEndpoint);

    public RespEndpoint? EndpointOf(NodeId node) => node == Self ? SelfEndpoint : Endpoints.TryGetValue(node, out var e) ? e : null;
}
