using System.Collections.Immutable;

namespace KvActors.Store.Partitioning;

/// <summary>
/// Who holds one partition. <see cref="InSync"/> holds every replica a write must reach before it
/// commits, the primary first and the others in node order; <see cref="Learners"/> are replicas still
/// catching up, which receive writes but are not waited for. The primary is the first in-sync replica,
/// so a partition has a primary exactly when it has an in-sync replica.
/// </summary>
public sealed class ReplicaSet : IEquatable<ReplicaSet>
{
    public static readonly ReplicaSet Empty = new([], []);

    /// <param name="inSync">The in-sync replicas, the primary first; the order of the others does not matter.</param>
    /// <param name="learners">The replicas catching up, in any order.</param>
    public ReplicaSet(IEnumerable<NodeId> inSync, IEnumerable<NodeId> learners)
    {
        var inSyncList = inSync.ToList();
        // The rest are sorted so that two sets holding the same roles are equal whatever their history.
        InSync = inSyncList.Count == 0
            ? []
            : [inSyncList[0], .. inSyncList.Skip(1).Order()];
        Learners = [.. learners.Order()];
        var all = InSync.Concat(Learners).ToList();
        if (all.Distinct().Count() != all.Count)
            throw new ArgumentException($"A replica set names a node twice ({string.Join(", ", all)}): each node holds at most one replica of a partition.");
    }

    public ImmutableArray<NodeId> InSync { get; }

    public ImmutableArray<NodeId> Learners { get; }

    public NodeId? Primary => InSync.IsEmpty ? null : InSync[0];

    /// <summary>Every node holding the partition, in-sync or learning.</summary>
    public IEnumerable<NodeId> Replicas => InSync.Concat(Learners);

    public int Count => InSync.Length + Learners.Length;

    public bool IsEmpty => Count == 0;

    public bool Contains(NodeId node) => IsInSync(node) || IsLearner(node);

    public bool IsInSync(NodeId node) => InSync.Contains(node);

    public bool IsLearner(NodeId node) => Learners.Contains(node);

    public bool Equals(ReplicaSet? other) =>
        other is not null && InSync.SequenceEqual(other.InSync) && Learners.SequenceEqual(other.Learners);

    public override bool Equals(object? obj) => Equals(obj as ReplicaSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var node in InSync)
            hash.Add(node);
        hash.Add(-1);
        foreach (var node in Learners)
            hash.Add(node);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"[{string.Join(", ", InSync)}]" + (Learners.IsEmpty ? "" : $" learning [{string.Join(", ", Learners)}]");
}
