namespace KvActors.Store.Replication;

/// <summary>A message between replicas of one partition. Every one carries the sender's epoch (fencing).</summary>
public abstract record ReplicationMessage(long Epoch, string From);

/// <summary>
/// Primary -> replica or learner: the entries after <paramref name="PrevSeq"/> (whose entry has epoch
/// <paramref name="PrevEpoch"/>), possibly none (then it is the heartbeat that renews the lease), and the commit point.
/// <paramref name="SentAt"/> is the primary's clock at sending; the acknowledgement echoes it, and the lease counts from it.
/// </summary>
public sealed record Prepare(long Epoch, string From, long PrevSeq, long PrevEpoch, IReadOnlyList<LogEntry> Entries, long CommitPoint, long SentAt)
    : ReplicationMessage(Epoch, From);

/// <summary>
/// Replica -> primary: "my log matches yours through <paramref name="PreparedThrough"/>", in answer to the message sent
/// at <paramref name="EchoSentAt"/>. Sending it grants the primary its lease.
/// </summary>
public sealed record PrepareAck(long Epoch, string From, long PreparedThrough, long EchoSentAt)
    : ReplicationMessage(Epoch, From);

/// <summary>Replica -> primary: "I cannot place your entries; send me everything from <paramref name="FromSeq"/> on".</summary>
public sealed record NeedsCatchUp(long Epoch, string From, long FromSeq) : ReplicationMessage(Epoch, From);

/// <summary>
/// Primary -> replica, answering <see cref="NeedsCatchUp"/> or feeding a replica that lags behind the primary's log:
/// optionally a <paramref name="Snapshot"/> of the committed state, then entries after <paramref name="PrevSeq"/>.
/// The shell will stream the snapshot in chunks; the state machine sees it whole.
/// </summary>
public sealed record CatchUpData(long Epoch, string From, ReplicaSnapshot? Snapshot, long PrevSeq, long PrevEpoch, IReadOnlyList<LogEntry> Entries, long CommitPoint, long SentAt)
    : ReplicationMessage(Epoch, From);

/// <summary>Answer to a message from an older epoch: "I am at <see cref="ReplicationMessage.Epoch"/>; fetch the new configuration".</summary>
public sealed record StaleEpoch(long Epoch, string From) : ReplicationMessage(Epoch, From);
