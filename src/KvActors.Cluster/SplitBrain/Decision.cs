namespace KvActors.Cluster.SplitBrain;

/// <summary>What the split-brain resolver decided (see <see cref="DowningStrategy.NodesToDown(ClusterView, Decision)"/>).</summary>
public enum Decision
{
    /// <summary>Keep this side: down the unreachable members.</summary>
    DownUnreachable,
    /// <summary>The other side survives: down the reachable members (self included).</summary>
    DownReachable,
    /// <summary>Down every member on both sides.</summary>
    DownAll,
    /// <summary>Down the indirectly connected members and the unreachable ones; keep the fully connected rest of this side.</summary>
    DownIndirectlyConnected,
    /// <summary>Down the indirectly connected members and this side's reachable ones (the other side survives).</summary>
    ReverseDownIndirectlyConnected,
}
