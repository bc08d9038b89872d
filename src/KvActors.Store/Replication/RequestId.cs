namespace KvActors.Store.Replication;

/// <summary>Names one client request; a retry carries the same id, so the primary can answer it with the first answer.</summary>
public readonly record struct RequestId(string ClientId, long Sequence)
{
    /// <summary>The client id of writes the primary makes itself (deleting expired keys): no client waits for them.</summary>
    public const string StoreClientId = "\0store";

    /// <summary>The id of a write the store makes itself; unique because it is the seq the entry gets.</summary>
    public static RequestId OfStore(long seq) => new(StoreClientId, seq);

    public bool IsStore => ClientId == StoreClientId;

    public override string ToString() => $"{ClientId}#{Sequence}";
}
