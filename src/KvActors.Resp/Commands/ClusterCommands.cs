using KvActors.Resp.Cluster;
using KvActors.Resp.Protocol;
using KvActors.Store.Partitioning;

namespace KvActors.Resp.Commands;

/// <summary>CLUSTER SLOTS, SHARDS, NODES, KEYSLOT, INFO, MYID: the real placement, from this node's ring (see <see cref="ClusterReplies"/>).</summary>
internal static class ClusterCommands
{
    public static IEnumerable<CommandSpec> All =>
    [
        new("CLUSTER", -2, ["stale"], 0, 0, 0, "cluster", "CLUSTER SLOTS, SHARDS, NODES, KEYSLOT, INFO, MYID.", Cluster),
    ];

    private static ValueTask<RespValue> Cluster(RespSession session, RespCommand command)
    {
        var sub = command.Upper(1);
        var topology = session.Node.Topology.Snapshot();
        RespValue reply = (sub, command.Count) switch
        {
            ("SLOTS", 2) => ClusterReplies.Slots(topology),
            ("SHARDS", 2) => ClusterReplies.Shards(topology),
            ("NODES", 2) => new RespValue.VerbatimString(ClusterReplies.Nodes(topology)),
            ("INFO", 2) => new RespValue.VerbatimString(ClusterReplies.Info(topology)),
            ("MYID", 2) => RespValue.Bulk(TopologySnapshot.IdOf(topology.Self)),
            ("KEYSLOT", 3) => RespValue.Integer(HashSlot.Of(command[2])),
            ("SLOTS" or "SHARDS" or "NODES" or "INFO" or "MYID" or "KEYSLOT", _) => Replies.WrongArity($"cluster|{sub.ToLowerInvariant()}"),
            _ => Replies.UnknownSubcommand(command),
        };
        return ValueTask.FromResult(reply);
    }
}
