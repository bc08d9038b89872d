namespace KvActors.Client;

/// <summary>Where a key lives, as the client's ring says: its partition, the ring's epoch, the primary and the other replicas (in-sync first, then learners).</summary>
public sealed record KvPlacement(int Partition, long Epoch, string? Primary, IReadOnlyList<string> Replicas)
{
    public override string ToString() =>
        $"partition {Partition}, epoch {Epoch}, primary {Primary ?? "none"}, replicas {(Replicas.Count == 0 ? "none" : string.Join(", ", Replicas))}";
}

/// <summary>A committed write: whether the key held a value before, its sequence number in the partition, and where it was written.</summary>
public sealed record KvWriteResult(bool Existed, long Seq, KvPlacement Placement);

/// <summary>A replica's answer to a stale read: the value in its committed state (null = none), the seq that state is as of, and the node that answered.</summary>
public sealed record KvReplicaRead(byte[]? Value, long AsOfSeq, string Node);

/// <summary>
/// How a <see cref="KvClient"/>'s requests travelled so far: requests sent (retries included) in how many remote
/// messages, and answers received in how many. Requests / batches is how many operations ride in one message.
/// </summary>
public sealed record KvClientBatching(long Requests, long RequestBatches, long Replies, long ReplyBatches)
{
    public double RequestsPerBatch => RequestBatches == 0 ? 0 : (double)Requests / RequestBatches;

    public double RepliesPerBatch => ReplyBatches == 0 ? 0 : (double)Replies / ReplyBatches;
}
