using System.Text;
using System.Text.Json;
using KvActors.Store.Wire.Admin;

namespace KvActors.Cli.Output;

/// <summary>
/// `--json` output, written by hand so the layout is fixed and documented (one line, ", " and
/// ": " separators) rather than whatever a serializer's options produce:
/// {"self": "h:p", "leader": "h:p", "singletonHost": "h:p", "members": [{"address": "h:p", "status": "Up", "reachable": true, "upNumber": 1, "roles": [], "leader": true,
///   "store": {"ringEpoch": 5, "primaries": 86, "replicas": 170, "learners": 0, "keys": 12, "bytes": 345, "replicationLag": 0, "unanswered": 0}}]}
/// ("self" is the node that answered: the table's "seen by"; "store" is what that member's shard host reported, null
/// when it was not asked (unreachable, Down, Removed) or did not answer; see <see cref="StoreStatsReply"/>).
/// Each member ends with "unreachableForMs" (how long the answering node has seen it unreachable; null when reachable
/// or not known), and after the members comes "removed": [{"address": "h:p", "previousStatus": "Down", "removedAgoMs": 40000}],
/// the members removed lately (kvactors.node.removed-members-shown-for), newest first.
/// </summary>
public static class ClusterJson
{
    public static string Show(ClusterShowResponse show, IReadOnlyDictionary<string, StoreStatsReply> stats)
    {
        var sb = new StringBuilder();
        sb.Append("{\"self\": ").Append(Str(show.Self))
          .Append(", \"leader\": ").Append(StrOrNull(show.Leader))
          .Append(", \"singletonHost\": ").Append(StrOrNull(show.SingletonHost))
          .Append(", \"members\": [");
        for (var i = 0; i < show.Members.Count; i++)
        {
            var m = show.Members[i];
            if (i > 0) sb.Append(", ");
            sb.Append("{\"address\": ").Append(Str(m.Address))
              .Append(", \"status\": ").Append(Str(m.Status))
              .Append(", \"reachable\": ").Append(m.Reachable ? "true" : "false")
              .Append(", \"upNumber\": ").Append(m.UpNumber)
              .Append(", \"roles\": [").Append(string.Join(", ", m.Roles.Select(Str))).Append(']')
              .Append(", \"leader\": ").Append(m.Address == show.Leader ? "true" : "false")
              .Append(", \"store\": ").Append(stats.TryGetValue(m.Address, out var st) ? Store(st) : "null")
              .Append(", \"unreachableForMs\": ").Append(m.UnreachableForMs > 0 ? Units.Number(m.UnreachableForMs) : "null").Append('}');
        }
        sb.Append("], \"removed\": [");
        for (var i = 0; i < show.Removed.Count; i++)
        {
            var r = show.Removed[i];
            if (i > 0) sb.Append(", ");
            sb.Append("{\"address\": ").Append(Str(r.Address))
              .Append(", \"previousStatus\": ").Append(StrOrNull(r.PreviousStatus))
              .Append(", \"removedAgoMs\": ").Append(r.RemovedAgoMs).Append('}');
        }
        return sb.Append("]}").ToString();
    }

    private static string Store(StoreStatsReply s) =>
        $"{{\"ringEpoch\": {s.RingEpoch}, \"primaries\": {s.Primaries}, \"replicas\": {s.Replicas}, \"learners\": {s.Learners}, " +
        $"\"keys\": {s.Keys}, \"bytes\": {s.Bytes}, \"replicationLag\": {s.ReplicationLag}, \"unanswered\": {s.Unanswered}}}";

    public static string Event(ClusterEventMessage e) =>
        $"{{\"at\": {Str(EventText.Time(e))}, \"kind\": {Str(e.Kind)}, \"address\": {Str(e.Address)}, \"detail\": {StrOrNull(e.Detail)}}}";

    public static string Addresses(IEnumerable<string> addresses) => "[" + string.Join(", ", addresses.Select(Str)) + "]";

    public static string Str(string s) => JsonSerializer.Serialize(s);

    /// <summary>The wire has no nulls: "" means none.</summary>
    private static string StrOrNull(string s) => s.Length == 0 ? "null" : Str(s);
}
