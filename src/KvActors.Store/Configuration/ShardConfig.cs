using KvActors.Store.Replication;
using KvActors.Store.Shards;

namespace KvActors.Store.Configuration;

/// <summary>Binds the shard layer's configurable settings (<c>kvactors.store.expiry-deletes-per-tick</c>); the rest keep their defaults.</summary>
public static class ShardConfig
{
    public const string ExpiryDeletesPerTickKey = "kvactors.store.expiry-deletes-per-tick";

    public static ShardSettings From(SettingReader read) => new()
    {
        Replication = new ReplicationSettings { ExpiryDeletesPerTick = read.GetInt(ExpiryDeletesPerTickKey, 0, 1_000_000) },
    };
}
