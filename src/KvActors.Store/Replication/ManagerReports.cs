namespace KvActors.Store.Replication;

/// <summary>A report from a replica to the configuration manager. <see cref="Epoch"/> is the reporter's epoch; the manager ignores reports about an epoch it has left.</summary>
public abstract record ManagerReport(long Epoch, string From);

/// <summary>Primary: in-sync replica <paramref name="Replica"/> has not acknowledged in time; writes wait for it.</summary>
public sealed record ReplicaSilent(long Epoch, string From, string Replica) : ManagerReport(Epoch, From);

/// <summary>Primary: learner <paramref name="Learner"/> holds everything committed and the primary now waits for its acknowledgements.</summary>
public sealed record LearnerCaughtUp(long Epoch, string From, string Learner) : ManagerReport(Epoch, From);

/// <summary>
/// In-sync replica: "I no longer grant the primary of this epoch a lease" (it fell silent for the grace period, or the
/// manager asked). <paramref name="LastSeq"/>/<paramref name="LastEpoch"/> describe its log, for choosing the new primary;
/// <paramref name="SinceLastGrantMs"/> is how long ago it last acknowledged any primary (null: unknown).
/// </summary>
public sealed record PrimarySuspected(long Epoch, string From, long LastSeq, long LastEpoch, long? SinceLastGrantMs) : ManagerReport(Epoch, From);

/// <summary>
/// A node that is not (or no longer knows whether it is) a replica of the partition asks to be one. <paramref name="Restarted"/>:
/// it lost its volatile state and will not act until it receives an epoch newer than <see cref="ManagerReport.Epoch"/>.
/// </summary>
public sealed record JoinRequest(long Epoch, string From, long LastSeq, long LastEpoch, bool Restarted) : ManagerReport(Epoch, From);

/// <summary>"I saw a newer epoch than mine; send me the current configuration."</summary>
public sealed record ConfigRequest(long Epoch, string From) : ManagerReport(Epoch, From);
