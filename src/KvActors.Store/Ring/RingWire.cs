using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Ring;

namespace KvActors.Store.Ring;

/// <summary>
/// <see cref="RingState"/> to and from its wire form, <see cref="RingMap"/>: a table of the nodes named, each once in
/// node order, and per partition the indexes of its in-sync replicas (primary first) and learners. Pure.
/// </summary>
public static class RingWire
{
    public static RingMap ToProto(RingState ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        var nodes = ring.Nodes;
        var index = new Dictionary<NodeId, int>(nodes.Count);
        for (var i = 0; i < nodes.Count; i++) index[nodes[i]] = i;
        var map = new RingMap { Epoch = ring.Epoch, PartitionCount = ring.PartitionCount, ReplicationFactor = ring.ReplicationFactor };
        map.Nodes.AddRange(nodes.Select(n => n.Value));
        foreach (var set in ring.Partitions)
        {
            var replicas = new PartitionReplicas();
            replicas.InSync.AddRange(set.InSync.Select(n => index[n]));
            replicas.Learners.AddRange(set.Learners.Select(n => index[n]));
            map.Partitions.Add(replicas);
        }
        return map;
    }

    /// <summary>The ring <paramref name="map"/> describes; <see cref="FormatException"/> with one sentence if it describes none.</summary>
    public static RingState FromProto(RingMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (PartitionCountRule.Problem(map.PartitionCount) is { } problem)
            throw new FormatException($"A ring names {map.PartitionCount} partitions: {problem}");
        if (map.Partitions.Count != map.PartitionCount)
            throw new FormatException($"A ring of {map.PartitionCount} partitions lists {map.Partitions.Count} replica sets.");
        if (map.Epoch < 0 || map.ReplicationFactor < 1)
            throw new FormatException($"A ring has epoch {map.Epoch} and replication factor {map.ReplicationFactor}; neither may be negative and the factor is at least 1.");
        var nodes = new NodeId[map.Nodes.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(map.Nodes[i])) throw new FormatException($"Node {i} of a ring's node table is empty.");
            nodes[i] = new NodeId(map.Nodes[i]);
        }
        NodeId Node(int partition, int i) =>
            i >= 0 && i < nodes.Length ? nodes[i] : throw new FormatException($"Partition {partition} of a ring names node {i}, but the node table has {nodes.Length}.");
        var sets = new ReplicaSet[map.PartitionCount];
        for (var p = 0; p < sets.Length; p++)
        {
            var replicas = map.Partitions[p];
            try
            {
                sets[p] = new ReplicaSet(replicas.InSync.Select(i => Node(p, i)), replicas.Learners.Select(i => Node(p, i)));
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"Partition {p} of a ring: {e.Message}", e);
            }
        }
        return new RingState(map.Epoch, map.PartitionCount, map.ReplicationFactor, sets);
    }

    public static IEnumerable<NodeSet> ToProto(IReadOnlyList<IReadOnlyCollection<NodeId>> sets) =>
        sets.Select(set =>
        {
            var proto = new NodeSet();
            proto.Nodes.AddRange(set.Select(n => n.Value));
            return proto;
        });

    /// <summary>The node sets a proposal replaces (see <see cref="RingProposal"/>); <see cref="FormatException"/> for an empty name.</summary>
    public static IReadOnlyList<IReadOnlyCollection<NodeId>> FromProto(IEnumerable<NodeSet> sets) =>
        sets.Select(set => (IReadOnlyCollection<NodeId>)set.Nodes
            .Select(n => string.IsNullOrWhiteSpace(n) ? throw new FormatException("A node set of a ring proposal names an empty node.") : new NodeId(n))
            .Distinct().Order().ToList()).ToList();

    /// <summary>Null for an absent map (no ring).</summary>
    public static RingState? FromProtoOrNull(RingMap? map) => map is null ? null : FromProto(map);

    public static RingMap? ToProtoOrNull(RingState? ring) => ring is null ? null : ToProto(ring);
}
