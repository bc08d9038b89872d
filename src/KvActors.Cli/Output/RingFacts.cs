using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Admin;

namespace KvActors.Cli.Output;

/// <summary>What `kv ring show` reports about a whole ring, computed from it alone. Pure.</summary>
public static class RingFacts
{
    /// <summary>Partitions with fewer in-sync replicas (the primary included) than the ring's replication factor.</summary>
    public static IReadOnlyList<int> UnderReplicated(RingState ring) =>
        [.. Enumerable.Range(0, ring.PartitionCount).Where(p => ring[p].InSync.Length < ring.ReplicationFactor)];

    /// <summary>Per node (in node order) the partitions it leads, follows in sync (replicas) and learns.</summary>
    public static IReadOnlyList<(string Node, NodeLoad Load)> Loads(RingState ring) =>
        [.. ring.Loads().Select(l => (l.Key.Value, l.Value))];
}

/// <summary>One replica row of `kv ring show --partition`: the node, its role in the ring, and what it reported (null: no answer).</summary>
public sealed record ReplicaReport(string Node, string RingRole, PartitionStatsReply? Reported, long? AckedByPrimary);

/// <summary>
/// One partition as `kv ring show --key/--partition` shows it: where it sits (slots; the key and its slot when asked by
/// key), its replica set in the ring, and per replica what that replica reports.
/// </summary>
public sealed record PartitionReport(
    string SeenBy, long Epoch, int ReplicationFactor, int Partition, SlotRange Slots, string? Key, int? Slot,
    string? Primary, IReadOnlyList<string> InSync, IReadOnlyList<string> Learners, IReadOnlyList<ReplicaReport> Replicas)
{
    public bool UnderReplicated => (Primary is null ? 0 : 1) + InSync.Count < ReplicationFactor;

    /// <summary>
    /// The report of <paramref name="partition"/> in <paramref name="ring"/>, with <paramref name="reported"/> (node ->
    /// its reply, absent when it did not answer). "Acked" comes from the primary's reply.
    /// </summary>
    public static PartitionReport Of(string seenBy, RingState ring, int partition, string? key, IReadOnlyDictionary<string, PartitionStatsReply> reported)
    {
        var set = ring[partition];
        var primary = set.Primary?.Value;
        var inSync = set.InSync.Skip(1).Select(n => n.Value).ToList();
        var learners = set.Learners.Select(n => n.Value).ToList();
        var acks = primary is not null && reported.TryGetValue(primary, out var p) && p.Held && !p.Unanswered
            ? p.Acks.ToDictionary(a => a.Node, a => a.AckedSeq, StringComparer.Ordinal)
            : new Dictionary<string, long>(StringComparer.Ordinal);
        ReplicaReport Row(string node, string role) =>
            new(node, role, reported.GetValueOrDefault(node), acks.TryGetValue(node, out var seq) ? seq : null);
        var rows = new List<ReplicaReport>();
        if (primary is not null) rows.Add(Row(primary, "primary"));
        rows.AddRange(inSync.Select(n => Row(n, "in-sync")));
        rows.AddRange(learners.Select(n => Row(n, "learner")));
        var partitioner = new Partitioner(ring.PartitionCount);
        int? slot = key is null ? null : HashSlot.Of(key);
        return new PartitionReport(seenBy, ring.Epoch, ring.ReplicationFactor, partition, partitioner.SlotsOf(partition), key, slot,
            primary, inSync, learners, rows);
    }
}
