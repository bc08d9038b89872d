using KvActors.Actor;
using KvActors.Cluster.Wire;
using KvActors.Remote;

namespace KvActors.Cluster;

/// <summary>
/// Answers cluster heartbeats at once, in its own actor so a busy core daemon never delays an
/// answer into a false unreachability. The answer names this incarnation (uid).
/// </summary>
internal sealed class ClusterHeartbeatReceiver : ReceiveActor
{
    public ClusterHeartbeatReceiver(UniqueAddress self)
    {
        var me = WireConverter.ToWire(self);
        Receive<ClusterHeartbeat>(hb => Sender?.Tell(new ClusterHeartbeatRsp { From = me, Sequence = hb.Sequence }, Self));
    }
}
