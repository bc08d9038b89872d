using KvActors.Store.Partitioning;

namespace KvActors.Resp.Cluster;

/// <summary>
/// What this node knows of the placement, for the CLUSTER commands and INFO: the ring (fed by <see cref="RingWatcher"/>)
/// and the members' RESP endpoints (read when asked, from <paramref name="endpoints"/>). Thread-safe.
/// </summary>
public sealed class ClusterTopology(NodeId self, RespEndpoint selfEndpoint, Func<IReadOnlyDictionary<NodeId, RespEndpoint>> endpoints)
{
    private volatile RingState? _ring;

    public NodeId Self { get; } = self;

    public RespEndpoint SelfEndpoint { get; } = selfEndpoint;

    public RingState? Ring => _ring;

    /// <summary>Keeps <paramref name="ring"/> when it is newer than the one held.</summary>
    public void Offer(RingState ring)
    {
        while (true)
        {
            var current = _ring;
            if (current is not null && current.Epoch >= ring.Epoch) return;
            if (Interlocked.CompareExchange(ref _ring, ring, current) == current) return;
        }
    }

    public TopologySnapshot Snapshot() => new(_ring, Self, SelfEndpoint, endpoints());
}
