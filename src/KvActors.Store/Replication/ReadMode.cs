namespace KvActors.Store.Replication;

/// <summary>How a client read is served.</summary>
public enum ReadMode
{
    /// <summary>At the primary, from committed state, only while it holds its lease.</summary>
    Leased,

    /// <summary>At any replica, from its committed state, which may be behind.</summary>
    Stale,
}
