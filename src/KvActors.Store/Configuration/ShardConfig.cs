using KvActors.Store.Replication;
using KvActors.Store.Shards;

namespace KvActors.Store.Configuration;

/// <summary>
/// Binds the shard layer's configurable settings (<c>kvactors.store.expiry-deletes-per-tick</c>,
/// <c>kvactors.store.keep-lost-partitions-for</c>); the rest keep their defaults.
/// </summary>
public static class ShardConfig
{
    public const string ExpiryDeletesPerTickKey = "kvactors.store.expiry-deletes-per-tick";

    public const string KeepLostPartitionsForKey = "kvactors.store.keep-lost-partitions-for";

    /// <summary>The kvactors.store.* keys bound here rather than by the ring's settings.</summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal) { ExpiryDeletesPerTickKey, KeepLostPartitionsForKey };

    public static ShardSettings From(SettingReader read) => new()
    {
        KeepLostPartitionsFor = read.GetDuration(KeepLostPartitionsForKey, TimeSpan.Zero),
        Replication = new ReplicationSettings { ExpiryDeletesPerTick = read.GetInt(ExpiryDeletesPerTickKey, 0, 1_000_000) },
    };
}
