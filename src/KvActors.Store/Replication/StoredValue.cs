namespace KvActors.Store.Replication;

/// <summary>A value with its expiry (Unix ms, 0 = never), as a partition holds it.</summary>
public readonly record struct StoredValue(byte[] Value, long ExpiresAtMs)
{
    /// <summary>Whether the value still exists at wall-clock time <paramref name="wallNowMs"/> (Unix ms).</summary>
    public bool IsLiveAt(long wallNowMs) => ExpiresAtMs == 0 || ExpiresAtMs > wallNowMs;
}
