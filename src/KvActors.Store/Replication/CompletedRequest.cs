namespace KvActors.Store.Replication;

/// <summary>The first answer to a client request: kept so a retry gets the same answer (<paramref name="Outcome"/>: a command's full answer).</summary>
public sealed record CompletedRequest(RequestId Request, WriteResult Result, long Seq, CommandResult? Outcome = null);
