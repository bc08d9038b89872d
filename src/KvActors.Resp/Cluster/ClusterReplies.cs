using System.Globalization;
using System.Text;
using KvActors.Resp.Protocol;
using KvActors.Store.Partitioning;

namespace KvActors.Resp.Cluster;

/// <summary>
/// CLUSTER SLOTS / SHARDS / NODES / INFO from a <see cref="TopologySnapshot"/> (pure). Each partition is a contiguous slot
/// range; adjacent partitions with the same replica set are merged into one range. A range's master is its partition's
/// primary (or this node, when the primary serves no RESP: it forwards); its replicas are the other in-sync replicas
/// that serve RESP. Every node leads some partitions and follows others, so CLUSTER NODES lists each as a master of the
/// slots it leads; which node replicates which range is in CLUSTER SLOTS and SHARDS.
/// </summary>
public static class ClusterReplies
{
    /// <summary>One run of slots with one replica set.</summary>
    public sealed record SlotGroup(SlotRange Slots, NodeId Master, RespEndpoint MasterEndpoint, IReadOnlyList<(NodeId Node, RespEndpoint Endpoint)> Replicas);

    /// <summary>The slot ranges in slot order; slots whose partition has no primary are left out (unassigned).</summary>
    public static IReadOnlyList<SlotGroup> Groups(TopologySnapshot topology)
    {
        var groups = new List<SlotGroup>();
        if (topology.Ring is not { } ring) return groups;
        var partitioner = new Partitioner(ring.PartitionCount);
        for (var p = 0; p < ring.PartitionCount; p++)
        {
            var set = ring[p];
            if (set.Primary is not { } primary) continue;
            var (master, endpoint) = topology.Serving(primary);
            var replicas = set.InSync.Skip(1)
                .Where(n => n != master)
                .Select(n => (Node: n, Endpoint: topology.EndpointOf(n)))
                .Where(r => r.Endpoint is not null)
                .Select(r => (r.Node, r.Endpoint!.Value))
                .ToList();
            var slots = partitioner.SlotsOf(p);
            if (groups.Count > 0 && groups[^1] is var last && last.Slots.Last + 1 == slots.First && last.Master == master
                && last.Replicas.SequenceEqual(replicas))
                groups[^1] = last with { Slots = new SlotRange(last.Slots.First, slots.Last) };
            else
                groups.Add(new SlotGroup(slots, master, endpoint, replicas));
        }
        return groups;
    }

    public static RespValue Slots(TopologySnapshot topology) =>
        new RespValue.Array(Groups(topology).Select(g => (RespValue)new RespValue.Array(
            [
                RespValue.Integer(g.Slots.First),
                RespValue.Integer(g.Slots.Last),
                NodeEntry(g.Master, g.MasterEndpoint),
                .. g.Replicas.Select(r => NodeEntry(r.Node, r.Endpoint)),
            ])).ToList());

    private static RespValue NodeEntry(NodeId node, RespEndpoint endpoint) =>
        RespValue.ArrayOf(RespValue.Bulk(endpoint.Host), RespValue.Integer(endpoint.Port), RespValue.Bulk(TopologySnapshot.IdOf(node)));

    /// <summary>One shard per distinct (master, replicas): its slot ranges and its nodes.</summary>
    public static RespValue Shards(TopologySnapshot topology)
    {
        var shards = Groups(topology)
            .GroupBy(g => (g.Master, Replicas: string.Join(",", g.Replicas.Select(r => r.Node.Value))))
            .Select(shard =>
            {
                var first = shard.First();
                var slots = shard.SelectMany(g => new[] { RespValue.Integer(g.Slots.First), RespValue.Integer(g.Slots.Last) }).ToList();
                var nodes = new List<RespValue> { ShardNode(first.Master, first.MasterEndpoint, "master") };
                nodes.AddRange(first.Replicas.Select(r => ShardNode(r.Node, r.Endpoint, "replica")));
                return RespValue.MapOf(("slots", new RespValue.Array(slots)), ("nodes", new RespValue.Array(nodes)));
            });
        return new RespValue.Array(shards.ToList());
    }

    private static RespValue ShardNode(NodeId node, RespEndpoint endpoint, string role) => RespValue.MapOf(
        ("id", RespValue.Bulk(TopologySnapshot.IdOf(node))),
        ("port", RespValue.Integer(endpoint.Port)),
        ("ip", RespValue.Bulk(endpoint.Host)),
        ("endpoint", RespValue.Bulk(endpoint.Host)),
        ("role", RespValue.Bulk(role)),
        ("replication-offset", RespValue.Integer(0)),
        ("health", RespValue.Bulk("online")));

    /// <summary>
    /// CLUSTER NODES: one line per node that serves RESP and is in the ring (this node always), Redis's format
    /// <c>id ip:port@cport flags master ping-sent pong-recv config-epoch link-state slot...</c>, the cluster port being
    /// the node's Akka port.
    /// </summary>
    public static string Nodes(TopologySnapshot topology)
    {
        var groups = Groups(topology);
        var nodes = (topology.Ring?.Nodes ?? []).Where(n => topology.EndpointOf(n) is not null).ToList();
        if (!nodes.Contains(topology.Self)) nodes.Insert(0, topology.Self);
        var epoch = (topology.Ring?.Epoch ?? 0).ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        foreach (var node in nodes)
        {
            var endpoint = topology.EndpointOf(node)!.Value;
            var clusterPort = node.Value[(node.Value.LastIndexOf(':') + 1)..];
            text.Append(TopologySnapshot.IdOf(node)).Append(' ')
                .Append(endpoint.Host).Append(':').Append(endpoint.Port.ToString(CultureInfo.InvariantCulture)).Append('@').Append(clusterPort).Append(' ')
                .Append(node == topology.Self ? "myself,master" : "master").Append(" - 0 0 ").Append(epoch).Append(" connected");
            foreach (var g in groups.Where(g => g.Master == node))
                text.Append(' ').Append(g.Slots.First == g.Slots.Last ? g.Slots.First.ToString(CultureInfo.InvariantCulture) : g.Slots.ToString());
            text.Append('\n');
        }
        return text.ToString();
    }

    public static string Info(TopologySnapshot topology)
    {
        var assigned = Groups(topology).Sum(g => g.Slots.Count);
        var ring = topology.Ring;
        var epoch = (ring?.Epoch ?? 0).ToString(CultureInfo.InvariantCulture);
        var fields = new (string, string)[]
        {
            ("cluster_state", ring is not null && assigned == HashSlot.Count ? "ok" : "fail"),
            ("cluster_slots_assigned", N(assigned)),
            ("cluster_slots_ok", N(assigned)),
            ("cluster_slots_pfail", "0"),
            ("cluster_slots_fail", N(HashSlot.Count - assigned)),
            ("cluster_known_nodes", N(ring?.Nodes.Count ?? 1)),
            ("cluster_size", N(ring?.Partitions.Where(p => p.Primary is not null).Select(p => p.Primary).Distinct().Count() ?? 0)),
            ("cluster_current_epoch", epoch),
            ("cluster_my_epoch", epoch),
            ("cluster_stats_messages_sent", "0"),
            ("cluster_stats_messages_received", "0"),
            ("total_cluster_links_buffer_limit_exceeded", "0"),
        };
        return string.Concat(fields.Select(f => $"{f.Item1}:{f.Item2}\r\n"));
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
