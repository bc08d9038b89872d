using System.Text;
using KvActors.Store.Replication;
using KvActors.Store.Tests.Replication.Simulation;

namespace KvActors.Store.Tests.Replication;

/// <summary>Small helpers for driving replicas by hand: settings, operations, configs, and picking effects apart.</summary>
internal static class ReplicationTestKit
{
    public static readonly ReplicationSettings Settings = new ReplicationSettings
    {
        LeasePeriodMs = 100,
        LeaseMarginMs = 10,
        GracePeriodMs = 150,
        HeartbeatIntervalMs = 20,
        HeartbeatSlackMs = 0, // heartbeats exactly at the interval, as the hand-driven tests count them
        AckTimeoutMs = 120,
        ReportIntervalMs = 30,
        PromotionCollectMs = 20,
        MaxUncommitted = 4,
        SnapshotEveryCommits = 1_000,
    }.Validated();

    public static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    public static string S(byte[]? bytes) => bytes is null ? "<none>" : Encoding.UTF8.GetString(bytes);

    public static KvOperation Put(string key, string value) => KvOperation.Put(B(key), B(value));

    public static KvOperation Del(string key) => KvOperation.Delete(B(key));

    public static RequestId Req(long n, string client = "c") => new(client, n);

    public static PartitionConfig Config(long epoch, string primary, string[] inSync, params string[] learners) =>
        new(epoch, primary, inSync, learners);

    /// <summary>Replicas named by the config's members, each having adopted it at <paramref name="now"/>.</summary>
    public static Dictionary<string, PartitionReplica> Cluster(PartitionConfig config, long now = 0, ReplicationSettings? settings = null)
    {
        var replicas = config.Members.ToDictionary(n => n, n => PartitionReplica.CreateNew(n, settings ?? Settings));
        foreach (var replica in replicas.Values)
            replica.OnConfig(config, now);
        return replicas;
    }

    /// <summary>
    /// Delivers every message in <paramref name="effects"/> addressed to one of <paramref name="replicas"/> (optionally
    /// only to <paramref name="only"/>), returning what the receivers emitted. A read of the log on disk
    /// (<see cref="ReadLog"/>) is answered "compacted" (these replicas have no disk), so the replica it was for gets a
    /// snapshot.
    /// </summary>
    public static List<ReplicaEffect> Deliver(IEnumerable<ReplicaEffect> effects, IReadOnlyDictionary<string, PartitionReplica> replicas, long now, params string[] only) =>
        Deliver(effects, replicas, now, NoDisk, only);

    /// <summary>"The log on disk no longer holds it", to every read.</summary>
    public static readonly Func<ReadLog, IReadOnlyList<LogEntry>?> NoDisk = _ => null;

    /// <summary>
    /// As the other overload, with reads of the log on disk answered by <paramref name="disk"/> (null: compacted). The
    /// answer goes to every replica; only the one that asked acts on it.
    /// </summary>
    public static List<ReplicaEffect> Deliver(IEnumerable<ReplicaEffect> effects, IReadOnlyDictionary<string, PartitionReplica> replicas, long now,
        Func<ReadLog, IReadOnlyList<LogEntry>?> disk, params string[] only)
    {
        var produced = new List<ReplicaEffect>();
        foreach (var effect in effects.ToArray())
        {
            if (effect is SendToReplica send && (only.Length == 0 || only.Contains(send.To)) && replicas.TryGetValue(send.To, out var target))
                produced.AddRange(target.OnMessage(send.Message, now));
            else if (effect is ReadLog read)
                foreach (var replica in replicas.Values)
                    produced.AddRange(replica.OnLogRead(new LogRead(read.For, read.AfterSeq, disk(read)), now));
        }
        return produced;
    }

    /// <summary>Delivers back and forth until nothing is left to deliver (a perfect network), returning every effect emitted.</summary>
    public static List<ReplicaEffect> Settle(IEnumerable<ReplicaEffect> effects, IReadOnlyDictionary<string, PartitionReplica> replicas, long now,
        Func<ReadLog, IReadOnlyList<LogEntry>?>? disk = null)
    {
        var all = new List<ReplicaEffect>();
        var wave = effects.ToList();
        for (var i = 0; i < 50 && wave.Count > 0; i++)
        {
            wave = Deliver(wave, replicas, now, disk ?? NoDisk);
            all.AddRange(wave);
        }
        return all;
    }

    public static IEnumerable<T> Messages<T>(this IEnumerable<ReplicaEffect> effects, string? to = null) where T : ReplicationMessage =>
        effects.OfType<SendToReplica>().Where(s => to is null || s.To == to).Select(s => s.Message).OfType<T>();

    public static IEnumerable<T> Reports<T>(this IEnumerable<ReplicaEffect> effects) where T : ManagerReport =>
        effects.OfType<ReportToManager>().Select(r => r.Report).OfType<T>();

    public static IEnumerable<T> Replies<T>(this IEnumerable<ReplicaEffect> effects) where T : ClientReply =>
        effects.OfType<ReplyToClient>().Select(r => r.Reply).OfType<T>();

    public static IEnumerable<LogEntry> Appended(this IEnumerable<ReplicaEffect> effects) =>
        effects.OfType<AppendToLog>().SelectMany(a => a.Entries);

    /// <summary>A disk that has taken every durable effect, for restart tests.</summary>
    public static SimDisk Persist(this SimDisk disk, IEnumerable<ReplicaEffect> effects)
    {
        foreach (var effect in effects)
            disk.Apply(effect);
        return disk;
    }
}
