namespace KvActors.Store.Replication;

/// <summary>What a committed write did: whether the key held a value before (a Delete reports whether it deleted anything).</summary>
public readonly record struct WriteResult(bool Existed);
