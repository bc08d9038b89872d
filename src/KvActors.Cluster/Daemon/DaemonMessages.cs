using KvActors.Actor;

namespace KvActors.Cluster;

/// <summary>Local commands and ticks of the cluster daemon (never sent over the wire).</summary>
internal static class DaemonMessages
{
    public sealed record JoinSeedNodes(IReadOnlyList<Address> Seeds);
    public sealed record JoinTo(Address Address);
    public sealed record LeaveCommand(Address Address);
    public sealed record DownCommand(Address Address);
    public sealed record Subscribe(IActorRef Subscriber, Type[] To, bool InitialStateAsSnapshot);
    public sealed record Unsubscribe(IActorRef Subscriber);

    public sealed class GossipTick { public static readonly GossipTick Instance = new(); }
    public sealed class LeaderActionsTick { public static readonly LeaderActionsTick Instance = new(); }
    public sealed class ReapUnreachableTick { public static readonly ReapUnreachableTick Instance = new(); }
    public sealed class HeartbeatTick { public static readonly HeartbeatTick Instance = new(); }
    public sealed class PruneTick { public static readonly PruneTick Instance = new(); }
    public sealed class JoinRetryTick { public static readonly JoinRetryTick Instance = new(); }
}
