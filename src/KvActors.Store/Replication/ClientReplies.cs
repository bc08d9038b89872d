namespace KvActors.Store.Replication;

/// <summary>The answer to one client request. The shell sends it to every sender waiting on <see cref="Request"/>.</summary>
public abstract record ClientReply(RequestId Request);

/// <summary>The write is committed at every in-sync replica (first answer; a retry gets the same).</summary>
/// <paramref name="Outcome"/> is the answer the primary computed when it evaluated the write (a command's old value,
/// new integer, whether its condition held), null for entries logged without one.
public sealed record WriteDone(RequestId Request, WriteResult Result, long Seq, CommandResult? Outcome = null) : ClientReply(Request);

/// <summary>
/// The value (null: not found, or expired at the reader's wall clock) in the committed state through
/// <paramref name="AsOfSeq"/>, with its expiry (Unix ms, 0 = never).
/// </summary>
public sealed record ReadDone(RequestId Request, byte[]? Value, long AsOfSeq, long ExpiresAtMs = 0) : ClientReply(Request);

/// <summary>This node is not the primary of <paramref name="Epoch"/>; <paramref name="Primary"/> is, as far as it knows.</summary>
public sealed record NotPrimary(RequestId Request, long Epoch, string? Primary) : ClientReply(Request);

/// <summary>Try again (same request id): the primary has no lease yet, is reconciling, or is full.</summary>
public sealed record RetryLater(RequestId Request, string Reason) : ClientReply(Request);

/// <summary>
/// A resent request whose answer is no longer kept (its client has <paramref name="Kept"/> later answers in the
/// partition): it may have run already, so it is not run again, and its outcome is unknown to the client.
/// </summary>
public sealed record AnswerForgotten(RequestId Request, int Kept) : ClientReply(Request)
{
    public string Reason =>
        $"Request {Request.Sequence} was resent after its answer was forgotten (the partition keeps its client's {Kept} highest request ids): it may have run already, so it was not run again.";
}
