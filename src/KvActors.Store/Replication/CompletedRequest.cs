namespace KvActors.Store.Replication;

/// <summary>The first answer to a client request: kept so a retry gets the same answer.</summary>
public sealed record CompletedRequest(RequestId Request, WriteResult Result, long Seq);
