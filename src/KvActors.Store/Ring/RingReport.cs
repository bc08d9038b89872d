using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>
/// A report to the RingManager about one partition, made at <see cref="Epoch"/> by a replica of it. The manager gathers
/// the reports that arrive within one of its ticks and applies them together (<see cref="RingManagerCore.Reports"/>), so
/// a crash that touches a hundred partitions costs one epoch, not a hundred.
/// </summary>
public abstract record RingReport(int Partition, NodeId Node, long Epoch);

/// <summary>The primary reports its in-sync replica <paramref name="Node"/> silent.</summary>
public sealed record SilentReplica(int Partition, NodeId Node, long Epoch) : RingReport(Partition, Node, Epoch);

/// <summary>The primary reports its learner <paramref name="Node"/> caught up.</summary>
public sealed record CaughtUp(int Partition, NodeId Node, long Epoch) : RingReport(Partition, Node, Epoch);

/// <summary>
/// The in-sync replica <paramref name="Node"/> heard nothing from its primary for its grace period and stopped granting
/// it a lease <paramref name="SinceLastGrant"/> ago (null: it never granted one).
/// </summary>
public sealed record SuspectedPrimary(int Partition, NodeId Node, long Epoch, TimeSpan? SinceLastGrant) : RingReport(Partition, Node, Epoch);
