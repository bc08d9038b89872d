using System.Globalization;
using System.Runtime;
using KvActors.Resp.Cluster;

namespace KvActors.Resp.Commands;

/// <summary>
/// INFO's sections, in Redis's order and field names where Redis has them, with this node's real figures. Fields of our
/// own start with <c>kvactors_</c>. Only keyspace needs the shards (the key counts DBSIZE reads too); the others are
/// this node's own figures.
/// </summary>
internal static class InfoSections
{
    /// <summary>The section that needs the key counts, read before the text is written.</summary>
    public const string KeyspaceSection = "keyspace";

    public static readonly IReadOnlyList<(string Name, Func<RespSession, KeyCounts?, IEnumerable<(string, string)>> Write)> All =
    [
        ("server", (s, _) => Server(s)),
        ("clients", (s, _) => Clients(s)),
        ("memory", (_, _) => Memory()),
        ("stats", (s, _) => Stats(s)),
        ("replication", (s, _) => Replication(s)),
        ("cluster", (s, _) => Cluster(s)),
        (KeyspaceSection, (_, counts) => Keyspace(counts)),
    ];

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<(string, string)> Server(RespSession s)
    {
        var node = s.Node;
        var uptime = node.Clock.GetUtcNow() - node.StartedAt;
        yield return ("redis_version", RespNode.RedisVersion);
        yield return ("redis_mode", "cluster");
        yield return ("kvactors_version", typeof(InfoSections).Assembly.GetName().Version?.ToString() ?? "0");
        yield return ("kvactors_node", node.NodeName);
        yield return ("kvactors_cluster_address", node.Topology.Self.Value);
        yield return ("os", ServerCommands.OsName);
        yield return ("arch_bits", N(IntPtr.Size * 8));
        yield return ("process_id", N(Environment.ProcessId));
        yield return ("run_id", KvActors.Resp.Cluster.TopologySnapshot.IdOf(node.Topology.Self));
        yield return ("tcp_port", N(node.Port));
        yield return ("uptime_in_seconds", N((long)uptime.TotalSeconds));
        yield return ("uptime_in_days", N((long)uptime.TotalDays));
    }

    private static IEnumerable<(string, string)> Clients(RespSession s)
    {
        yield return ("connected_clients", N(s.Node.Stats.ConnectedClients));
        yield return ("maxclients", N(s.Node.Settings.MaxClients));
        yield return ("blocked_clients", "0");
    }

    /// <summary>
    /// Redis's memory figures as far as .NET has them (used_memory is the GC heap), and the garbage collector's own: a
    /// store that keeps its data on the GC heap pays for it in collections, which stop every thread of the node, so
    /// their count and total pause (since start) belong beside the memory figures.
    /// </summary>
    private static IEnumerable<(string, string)> Memory()
    {
        // Live figures: GC.GetGCMemoryInfo describes the last collection, all zeros before the first one.
        var used = GC.GetTotalMemory(forceFullCollection: false);
        var rss = Environment.WorkingSet;
        yield return ("used_memory", N(used));
        yield return ("used_memory_human", Human(used));
        yield return ("used_memory_rss", N(rss));
        yield return ("used_memory_rss_human", Human(rss));
        yield return ("maxmemory", "0");
        yield return ("mem_allocator", GCSettings.IsServerGC ? "dotnet-server-gc" : "dotnet-workstation-gc");
        yield return ("kvactors_gc_allocated_bytes", N(GC.GetTotalAllocatedBytes()));
        yield return ("kvactors_gc_collections_gen0", N(GC.CollectionCount(0)));
        yield return ("kvactors_gc_collections_gen1", N(GC.CollectionCount(1)));
        yield return ("kvactors_gc_collections_gen2", N(GC.CollectionCount(2)));
        yield return ("kvactors_gc_pause_total_ms", N((long)GC.GetTotalPauseDuration().TotalMilliseconds));
    }

    /// <summary>Bytes as Redis's *_human fields write them (1.50M: binary units, two decimals).</summary>
    private static string Human(long bytes)
    {
        string[] units = ["B", "K", "M", "G", "T"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes}B" : value.ToString("0.00", CultureInfo.InvariantCulture) + units[unit];
    }

    private static IEnumerable<(string, string)> Stats(RespSession s)
    {
        yield return ("total_connections_received", N(s.Node.Stats.TotalConnections));
        yield return ("total_commands_processed", N(s.Node.Stats.CommandsProcessed));
        yield return ("rejected_connections", N(s.Node.Stats.RejectedConnections));
    }

    /// <summary>Every node leads some partitions and follows others, so it is a master in Redis's terms; our own fields count them.</summary>
    private static IEnumerable<(string, string)> Replication(RespSession s)
    {
        var ring = s.Node.Topology.Ring;
        var self = s.Node.Topology.Self;
        var primary = ring?.Partitions.Count(p => p.Primary == self) ?? 0;
        var follower = ring?.Partitions.Count(p => p.IsInSync(self) && p.Primary != self) ?? 0;
        var learner = ring?.Partitions.Count(p => p.IsLearner(self)) ?? 0;
        yield return ("role", "master");
        yield return ("connected_slaves", "0");
        yield return ("kvactors_ring_epoch", N(ring?.Epoch ?? 0));
        yield return ("kvactors_replication_factor", N(ring?.ReplicationFactor ?? 0));
        yield return ("kvactors_partitions_primary", N(primary));
        yield return ("kvactors_partitions_in_sync_replica", N(follower));
        yield return ("kvactors_partitions_learning", N(learner));
    }

    private static IEnumerable<(string, string)> Cluster(RespSession s)
    {
        yield return ("cluster_enabled", "1");
        yield return ("kvactors_partitions", N(s.Node.Topology.Ring?.PartitionCount ?? 0));
        yield return ("kvactors_nodes", N(s.Node.Topology.Ring?.Nodes.Count ?? 0));
    }

    /// <summary>Redis's line for database 0 with the keys this node leads (as DBSIZE); none when they could not be counted, or there are none (as Redis).</summary>
    private static IEnumerable<(string, string)> Keyspace(KeyCounts? counts)
    {
        if (counts is { Keys: > 0 } c) yield return ("db0", $"keys={N(c.Keys)},expires={N(c.Expiring)},avg_ttl=0");
    }
}
