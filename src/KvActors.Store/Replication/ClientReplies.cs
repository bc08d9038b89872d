namespace KvActors.Store.Replication;

/// <summary>The answer to one client request. The shell sends it to every sender waiting on <see cref="Request"/>.</summary>
public abstract record ClientReply(RequestId Request);

/// <summary>The write is committed at every in-sync replica (first answer; a retry gets the same).</summary>
public sealed record WriteDone(RequestId Request, WriteResult Result, long Seq) : ClientReply(Request);

/// <summary>The value (null: not found) in the committed state through <paramref name="AsOfSeq"/>.</summary>
public sealed record ReadDone(RequestId Request, byte[]? Value, long AsOfSeq) : ClientReply(Request);

/// <summary>This node is not the primary of <paramref name="Epoch"/>; <paramref name="Primary"/> is, as far as it knows.</summary>
public sealed record NotPrimary(RequestId Request, long Epoch, string? Primary) : ClientReply(Request);

/// <summary>Try again (same request id): the primary has no lease yet, is reconciling, or is full.</summary>
public sealed record RetryLater(RequestId Request, string Reason) : ClientReply(Request);
