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
        Deliver(effects, replicas, now, null, only);

    /// <summary>
    /// As the other overload, where the replicas named in <paramref name="disks"/> have a disk: what they emit is applied
    /// to it (the test applies what it gets from them directly: <see cref="Logged"/>), and a read of the log is answered
    /// from it (compacted for a replica without one). The answer goes to every replica; only the one that asked acts on it.
    /// </summary>
    public static List<ReplicaEffect> Deliver(IEnumerable<ReplicaEffect> effects, IReadOnlyDictionary<string, PartitionReplica> replicas, long now,
        IReadOnlyDictionary<string, SimDisk>? disks, params string[] only)
    {
        var produced = new List<ReplicaEffect>();
        void From(PartitionReplica replica, IReadOnlyList<ReplicaEffect> emitted)
        {
            if (disks is not null && disks.TryGetValue(replica.Self, out var disk))
                emitted.Logged(disk);
            produced.AddRange(emitted);
        }
        foreach (var effect in effects.ToArray())
        {
            if (effect is SendToReplica send && (only.Length == 0 || only.Contains(send.To)) && replicas.TryGetValue(send.To, out var target))
                From(target, target.OnMessage(send.Message, now));
            else if (effect is ReadLog read)
                foreach (var replica in replicas.Values)
                {
                    var entries = disks is not null && disks.TryGetValue(replica.Self, out var disk) ? disk.ReadSince(read.AfterSeq, read.MaxEntries) : null;
                    From(replica, replica.OnLogRead(new LogRead(read.For, read.AfterSeq, entries), now));
                }
        }
        return produced;
    }

    /// <summary>Applies the durable ones of <paramref name="effects"/> to <paramref name="disk"/>; returns them.</summary>
    public static IReadOnlyList<ReplicaEffect> Logged(this IReadOnlyList<ReplicaEffect> effects, SimDisk disk)
    {
        foreach (var effect in effects)
            disk.Apply(effect);
        return effects;
    }

    /// <summary>Delivers back and forth until nothing is left to deliver (a perfect network), returning every effect emitted; <paramref name="disks"/> as for <see cref="Deliver(IEnumerable{ReplicaEffect}, IReadOnlyDictionary{string, PartitionReplica}, long, IReadOnlyDictionary{string, SimDisk}?, string[])"/>.</summary>
    public static List<ReplicaEffect> Settle(IEnumerable<ReplicaEffect> effects, IReadOnlyDictionary<string, PartitionReplica> replicas, long now,
        IReadOnlyDictionary<string, SimDisk>? disks = null)
    {
        var all = new List<ReplicaEffect>();
        var wave = effects.ToList();
        for (var i = 0; i < 50 && wave.Count > 0; i++)
        {
            wave = Deliver(wave, replicas, now, disks);
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
