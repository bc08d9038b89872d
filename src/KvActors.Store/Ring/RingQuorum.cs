using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>
/// Quorums over a ring's own nodes, as Raft counts them over its configuration: more than half of the nodes, or exactly
/// half when that half holds the lowest node. Any two such quorums of one node set meet, so a ring chosen by a quorum of
/// the nodes of the ring it replaces is seen by any later manager that hears from a quorum of them, however the Up
/// membership has changed in between (a majority of the Up members alone is not enough: a majority of few members after
/// removals and one of more members after stale nodes rejoin need not meet). The tie is broken as Akka's keep-majority
/// split-brain resolver breaks it (the side with the lowest address, host then port), so where that resolver keeps half
/// of a cluster going, the ring can go on with it.
/// </summary>
public static class RingQuorum
{
    /// <summary>Whether the nodes for which <paramref name="counts"/> holds are a quorum of <paramref name="nodes"/> (an empty set needs nobody).</summary>
    public static bool IsMet(IReadOnlyCollection<NodeId> nodes, Func<NodeId, bool> counts)
    {
        if (nodes.Count == 0) return true;
        var count = nodes.Count(counts);
        if (count * 2 > nodes.Count) return true;
        return count * 2 == nodes.Count && counts(nodes.Min(AddressOrder.Instance)!);
    }

    /// <summary>
    /// <paramref name="nodes"/> without the ones an operator declared gone for good (<c>kv ring forget</c>): a quorum is
    /// then counted over the others. Akka has no such notion; this is the escape hatch when a ring's nodes are lost for
    /// good (etcd's answer is to force a new cluster).
    /// </summary>
    public static IReadOnlyCollection<NodeId> Without(IReadOnlyCollection<NodeId> nodes, IReadOnlySet<NodeId>? forgotten) =>
        forgotten is null || forgotten.Count == 0 ? nodes : nodes.Where(n => !forgotten.Contains(n)).ToList();

    /// <summary>The nodes still missing for a quorum of <paramref name="nodes"/>, for the log: the ones that have not answered.</summary>
    public static string Describe(IReadOnlyCollection<NodeId> nodes, Func<NodeId, bool> counts) =>
        $"{nodes.Count(counts)} of {nodes.Count}, missing {string.Join(", ", nodes.Where(n => !counts(n)))}";

    /// <summary>Akka's address order (Member.AddressOrdering): host ordinally, then port as a number.</summary>
    private sealed class AddressOrder : IComparer<NodeId>
    {
        public static readonly AddressOrder Instance = new();

        public int Compare(NodeId x, NodeId y)
        {
            var (hostX, portX) = Split(x.Value);
            var (hostY, portY) = Split(y.Value);
            var byHost = string.CompareOrdinal(hostX, hostY);
            return byHost != 0 ? byHost : portX.CompareTo(portY);
        }

        private static (string Host, int Port) Split(string value)
        {
            var colon = value.LastIndexOf(':');
            return colon > 0 && int.TryParse(value.AsSpan(colon + 1), out var port) ? (value[..colon], port) : (value, -1);
        }
    }
}
