namespace KvActors.Cluster.SplitBrain;

/// <summary>Downs every member on any unreachability: safe, and the operator restarts the cluster.</summary>
public sealed class DownAll() : DowningStrategy(null)
{
    protected override Decision DecideCleanPartition(ClusterView view) => Decision.DownAll;
}
