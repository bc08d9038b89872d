using Akka.Actor;
using Akka.Configuration;
using KvActors.Client;
using KvActors.Storage;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Shards;
using KvActors.Store.Wire.Admin;
using KvActors.TestKit.MultiNode;

namespace KvActors.TestKit.Store;

/// <summary>
/// The store on in-process nodes of a <see cref="ClusterHarness"/> (so a spec can blackhole links with the throttler):
/// each node runs the ring's actors and the shard layer over its own data directory under <paramref name="dataRoot"/>,
/// as kvnode does, and carries a <see cref="KvClient"/> attached to its own actor system (requests from it cross the
/// throttled links like any other node's messages). A crashed node can be started again on its port and directory.
/// <paramref name="shards"/> overrides the shard layer's settings (null: kvnode's defaults).
/// </summary>
public sealed class InProcessStore(ClusterHarness harness, string dataRoot, int partitions = 32, int minMembers = 3, ShardSettings? shards = null) : IAsyncDisposable
{
    private readonly List<StoreMember> _members = [];

    /// <summary>The store members started so far (a restarted node replaces its crashed self).</summary>
    public IReadOnlyList<StoreMember> Members { get { lock (_members) return [.. _members]; } }

    /// <summary>The members whose actor system runs.</summary>
    public IReadOnlyList<StoreMember> Live => Members.Where(m => !m.Node.IsTerminated).ToList();

    public int Partitions => partitions;

    /// <summary>How long a client request may take: a failover on a loaded machine, with retries.</summary>
    public static TimeSpan RequestTimeout => TestKitSettings.Dilated(TimeSpan.FromSeconds(15));

    /// <summary>How long the ring may take to form or to get back to full on a loaded machine.</summary>
    public static TimeSpan RingDeadline => TestKitSettings.Dilated(TimeSpan.FromSeconds(60));

    /// <summary>
    /// Starts a member: a harness node (joining <paramref name="joinTo"/>, by default the oldest live node) on
    /// <paramref name="port"/> (0 = a free one) with the ring and the shard layer over <paramref name="dataDir"/> (by
    /// default a directory of its own under the data root), and a client on its system whose requests time out after
    /// <paramref name="clientTimeout"/> (default <see cref="RequestTimeout"/>).
    /// </summary>
    public StoreMember Start(string name, int port = 0, string? dataDir = null, ClusterNode? joinTo = null, Config? config = null, TimeSpan? clientTimeout = null)
    {
        var node = harness.StartNode(name, port, config, joinTo: joinTo);
        var dir = dataDir ?? Path.Combine(dataRoot, name);
        var proxy = RingHost.Start(node.System, new RingSettings
        {
            Partitions = partitions,
            ReplicationFactor = 3,
            MinMembers = minMembers,
            FailoverAfter = TimeSpan.FromSeconds(1),
            LastRingTimeout = TimeSpan.FromSeconds(5),
            RepublishInterval = TimeSpan.FromSeconds(1),
            DataDir = dir,
        });
        StoreHost.Start(node.System, new StorageSettings { DataDir = dir }, proxy, shards);
        var self = new HostPort(node.Address.Host!, node.Port);
        var client = KvClient.Attach(node.System, new KvClientOptions
        {
            Seeds = [self, .. Live.Select(m => m.Endpoint).Where(e => e != self)],
            SystemName = ClusterHarness.SystemName,
            Timeout = clientTimeout ?? RequestTimeout,
            RingRefreshInterval = TimeSpan.FromSeconds(1),
        });
        var member = new StoreMember(name, node, dir, client);
        lock (_members)
        {
            var index = _members.FindIndex(m => m.DataDir == dir);
            if (index >= 0) _members[index] = member;
            else _members.Add(member);
        }
        return member;
    }

    /// <summary>n1, then the others joining it once it is Up; waits until all <paramref name="count"/> are Up.</summary>
    public IReadOnlyList<StoreMember> StartCluster(int count, Config? config = null)
    {
        var n1 = Start("n1", config: config);
        harness.AwaitMembersUp(1, [n1.Node]);
        var all = new List<StoreMember> { n1 };
        for (var i = 2; i <= count; i++) all.Add(Start($"n{i}", joinTo: n1.Node, config: config));
        harness.AwaitMembersUp(count, all.Select(m => m.Node));
        return all;
    }

    /// <summary>Crashes <paramref name="member"/> (silenced, then its system stopped without leaving; its storage closes with it).</summary>
    public async Task CrashAsync(StoreMember member)
    {
        await member.Client.DisposeAsync();
        await harness.CrashAsync(member.Node).ConfigureAwait(false);
    }

    /// <summary>Starts a crashed member again on its port and data directory, joining the live members.</summary>
    public StoreMember Restart(StoreMember crashed, Config? config = null)
    {
        if (!crashed.Node.IsTerminated) throw new InvalidOperationException($"{crashed} must be crashed before it is restarted.");
        var joinTo = Live.FirstOrDefault()?.Node;
        return Start($"{crashed.Name}-again", crashed.Node.Port, crashed.DataDir, joinTo, config);
    }

    /// <summary>A ring naming exactly the live members, every partition with min(RF 3, members) in-sync replicas and no learners.</summary>
    public bool IsFull(RingState ring)
    {
        var live = Live.Select(m => m.Id.Value).Order(StringComparer.Ordinal).ToList();
        return ring.Epoch >= 1
               && ring.Nodes.Select(n => n.Value).Order(StringComparer.Ordinal).SequenceEqual(live)
               && ring.Partitions.All(s => s.InSync.Length == Math.Min(3, live.Count) && s.Learners.IsEmpty);
    }

    public Task<RingState> AwaitFullRingAsync(KvClient observer, string what, TimeSpan? deadline = null) => AwaitRingAsync(observer, IsFull, what, deadline);

    /// <summary>Waits until the ring <paramref name="observer"/> follows satisfies <paramref name="condition"/>; fails with the last ring seen.</summary>
    public static async Task<RingState> AwaitRingAsync(KvClient observer, Func<RingState, bool> condition, string what, TimeSpan? deadline = null)
    {
        var max = deadline ?? RingDeadline;
        if (observer.Ring is { } now && condition(now)) return now;
        return (await Awaiting.AwaitAsync(async () =>
            {
                await observer.RefreshRingAsync();
                return observer.Ring;
            }, ring => ring is not null && condition(ring), max,
            ring => $"Expected {what} within {max.TotalSeconds:0} s; the last ring: {StoreNodes.Describe(ring)}."))!;
    }

    /// <summary>
    /// Waits until <paramref name="client"/> routes by ring <paramref name="epoch"/> or later without asking for it: for
    /// a client that does not poll, only a keeper's push brings it.
    /// </summary>
    public static async Task AwaitPushedAsync(KvClient client, long epoch)
    {
        var deadline = TestKitSettings.Dilated(TimeSpan.FromSeconds(10));
        await Awaiting.AwaitConditionAsync(() => client.RingEpoch >= epoch, deadline,
            () => $"Expected the client to be pushed ring epoch {epoch} within {deadline.TotalSeconds:0} s; it has {client.RingEpoch}.",
            TimeSpan.FromMilliseconds(20));
    }

    /// <summary>Keys named "<paramref name="prefix"/>-N" that fall in <paramref name="partition"/>, as many as asked.</summary>
    public IReadOnlyList<string> KeysIn(int partition, string prefix, int count = 1)
    {
        var partitioner = new Partitioner(partitions);
        return Enumerable.Range(0, int.MaxValue).Select(i => $"{prefix}-{i}")
            .Where(k => partitioner.PartitionOf(System.Text.Encoding.UTF8.GetBytes(k)) == partition).Take(count).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members) await member.Client.DisposeAsync();
    }
}

/// <summary>One in-process store node: its harness node, data directory and the client attached to its system.</summary>
public sealed record StoreMember(string Name, ClusterNode Node, string DataDir, KvClient Client)
{
    /// <summary>The ring's name for it ("host:port").</summary>
    public NodeId Id => RingPaths.NodeIdOf(Node.Address);

    public HostPort Endpoint => new(Node.Address.Host!, Node.Port);

    /// <summary>The node's own store statistics (partitions by role, keys, snapshots installed...), from its /user/shards.</summary>
    public Task<StoreStatsReply> StatsAsync() =>
        Node.System.ActorSelection(StoreHost.ShardsPath)
            .Ask<StoreStatsReply>(new StoreStatsRequest { TimeoutMs = 5_000 }, TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));

    public override string ToString() => $"{Name} ({Id})";
}
