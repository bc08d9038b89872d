using System.Text;
using KvActors.Store.Partitioning;

namespace KvActors.Cli.Output;

/// <summary>
/// `kv ring show --json`, one line, laid out by hand like <see cref="ClusterJson"/>:
/// {"seenBy": "h:p", "epoch": 5, "partitions": 256, "replicationFactor": 3, "nodes": [{"node": "h:p", "primaries": 86, "replicas": 170, "learners": 0}], "underReplicated": [0, 1]}
/// (plus "managerWaiting": "..." when the RingManager says it waits for something, e.g. a ring no quorum has stored yet,
/// or did not answer within 2 s)
/// and with --key/--partition:
/// {"seenBy": "h:p", "epoch": 5, "partition": 17, "firstSlot": 1088, "lastSlot": 1151, "key": "k", "slot": 1100, "primary": "h:p",
///  "inSync": ["h:p"], "learners": [], "underReplicated": false, "replicas": [{"node": "h:p", "ringRole": "primary", "status": "ok",
///  "role": "primary", "epoch": 5, "preparedSeq": 3, "committedSeq": 3, "ackedSeq": null, "keys": 2, "bytes": 30}]}
/// ("key" and "slot" only with --key; "inSync" lists the in-sync replicas other than the primary; a replica's "status" is ok,
/// "no answer", "busy" or "not held", and its figures are null unless ok; "ackedSeq" is what the primary reports).
/// </summary>
public static class RingJson
{
    public static string Show(string seenBy, RingState ring, string? managerWaiting = null)
    {
        var sb = new StringBuilder();
        sb.Append("{\"seenBy\": ").Append(ClusterJson.Str(seenBy))
          .Append(", \"epoch\": ").Append(Units.Number(ring.Epoch))
          .Append(", \"partitions\": ").Append(Units.Number(ring.PartitionCount))
          .Append(", \"replicationFactor\": ").Append(Units.Number(ring.ReplicationFactor))
          .Append(", \"nodes\": [")
          .Append(string.Join(", ", RingFacts.Loads(ring).Select(l =>
              $"{{\"node\": {ClusterJson.Str(l.Node)}, \"primaries\": {l.Load.Primaries}, \"replicas\": {l.Load.Followers}, \"learners\": {l.Load.Learners}}}")))
          .Append("], \"underReplicated\": [").Append(string.Join(", ", RingFacts.UnderReplicated(ring).Select(p => Units.Number(p)))).Append(']');
        if (!string.IsNullOrEmpty(managerWaiting)) sb.Append(", \"managerWaiting\": ").Append(ClusterJson.Str(managerWaiting));
        return sb.Append('}').ToString();
    }

    public static string Partition(PartitionReport report)
    {
        var sb = new StringBuilder();
        sb.Append("{\"seenBy\": ").Append(ClusterJson.Str(report.SeenBy))
          .Append(", \"epoch\": ").Append(Units.Number(report.Epoch))
          .Append(", \"partition\": ").Append(Units.Number(report.Partition))
          .Append(", \"firstSlot\": ").Append(Units.Number(report.Slots.First))
          .Append(", \"lastSlot\": ").Append(Units.Number(report.Slots.Last));
        if (report.Key is not null)
            sb.Append(", \"key\": ").Append(ClusterJson.Str(report.Key)).Append(", \"slot\": ").Append(Units.Number(report.Slot!.Value));
        sb.Append(", \"primary\": ").Append(report.Primary is null ? "null" : ClusterJson.Str(report.Primary))
          .Append(", \"inSync\": ").Append(ClusterJson.Addresses(report.InSync))
          .Append(", \"learners\": ").Append(ClusterJson.Addresses(report.Learners))
          .Append(", \"underReplicated\": ").Append(report.UnderReplicated ? "true" : "false")
          .Append(", \"replicas\": [").Append(string.Join(", ", report.Replicas.Select(Replica))).Append("]}");
        return sb.ToString();
    }

    private static string Replica(ReplicaReport row)
    {
        var r = row.Reported;
        var ok = r is { Held: true, Unanswered: false };
        string N(Func<Store.Wire.Admin.PartitionStatsReply, long> f) => ok ? Units.Number(f(r!)) : "null";
        return $"{{\"node\": {ClusterJson.Str(row.Node)}, \"ringRole\": {ClusterJson.Str(row.RingRole)}, " +
               $"\"status\": {ClusterJson.Str(ok ? "ok" : RingTable.Status(r))}, \"role\": {(ok ? ClusterJson.Str(r!.Role) : "null")}, " +
               $"\"epoch\": {N(x => x.Epoch)}, \"preparedSeq\": {N(x => x.LastPreparedSeq)}, \"committedSeq\": {N(x => x.CommittedSeq)}, " +
               $"\"ackedSeq\": {(row.AckedByPrimary is { } a ? Units.Number(a) : "null")}, \"keys\": {N(x => x.Keys)}, \"bytes\": {N(x => x.Bytes)}}}";
    }
}
