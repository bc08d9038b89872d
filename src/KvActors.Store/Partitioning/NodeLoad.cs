namespace KvActors.Store.Partitioning;

/// <summary>How many partitions one node leads (<see cref="Primaries"/>), follows in sync and is still learning.</summary>
public readonly record struct NodeLoad(int Primaries, int Followers, int Learners)
{
    /// <summary>Every replica the node holds, whatever its role.</summary>
    public int Replicas => Primaries + Followers + Learners;
}
