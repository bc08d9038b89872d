namespace KvActors.Store.Replication;

/// <summary>Names one client request; a retry carries the same id, so the primary can answer it with the first answer.</summary>
public readonly record struct RequestId(string ClientId, long Sequence)
{
    public override string ToString() => $"{ClientId}#{Sequence}";
}
