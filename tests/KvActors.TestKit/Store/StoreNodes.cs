using KvActors.Client;
using KvActors.Store.Partitioning;
using KvActors.TestKit.Processes;

namespace KvActors.TestKit.Store;

/// <summary>
/// Real kvnode processes running the store, for the process-level store specs: the first forms the cluster, the others
/// join through the live ones; the first ring waits for the initial members (kvactors.cluster.min-nr-of-members), so
/// every replica starts in sync. Few partitions keep rings and catch-ups small. A <see cref="KvClient"/> of the test
/// (<see cref="Observer"/>) follows the ring. The nodes belong to the caller's <see cref="ProcessGroup"/>.
/// </summary>
public sealed class StoreNodes : IAsyncDisposable
{
    private readonly ProcessGroup _processes;
    private readonly List<NodeProcess> _nodes = [];
    private readonly List<KvClient> _clients = [];

    private StoreNodes(ProcessGroup processes, int partitions, int initialMembers, IReadOnlyList<string> arguments)
    {
        _processes = processes;
        Partitions = partitions;
        Settings = [$"-Dkvactors.store.partitions={partitions}", $"-Dkvactors.cluster.min-nr-of-members={initialMembers}", .. arguments];
    }

    public int Partitions { get; }

    /// <summary>The flags every node of this cluster gets.</summary>
    public IReadOnlyList<string> Settings { get; }

    /// <summary>The nodes started so far, in order (a restarted node replaces its killed self).</summary>
    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>The nodes that run.</summary>
    public IReadOnlyList<NodeProcess> Live => _nodes.Where(n => !n.HasExited).ToList();

    /// <summary>The test's own client, used to follow the ring and to read data back.</summary>
    public KvClient Observer { get; private set; } = null!;

    /// <summary>How long one node may take to start: several start at once here, each with a JIT to warm on a shared, loaded machine.</summary>
    public static TimeSpan NodeStartDeadline => TestKitSettings.Dilated(TimeSpan.FromSeconds(60));

    /// <summary>How long the cluster may take to form its first full ring (or to get back to one) on a loaded machine.</summary>
    public static TimeSpan RingDeadline => TestKitSettings.Dilated(TimeSpan.FromSeconds(60));

    /// <summary>
    /// Starts <paramref name="count"/> nodes at once (the first on a port chosen beforehand, so the others can name it as
    /// their seed from the start) and waits for a full ring over them.
    /// </summary>
    /// <param name="arguments">More flags for every node (e.g. -Dkvactors.storage.fsync=always).</param>
    public static async Task<StoreNodes> StartAsync(ProcessGroup processes, int count, int partitions = 16, IReadOnlyList<string>? arguments = null)
    {
        var cluster = new StoreNodes(processes, partitions, count, arguments ?? []);
        var seedPort = Ports.Free();
        var seed = $"127.0.0.1:{seedPort}";
        var started = await Task.WhenAll(Enumerable.Range(1, count).Select(i => Task.Run(() =>
            processes.StartNode(new NodeOptions
            {
                Name = $"n{i}",
                Port = i == 1 ? seedPort : 0,
                Seeds = i == 1 ? [] : [seed],
                Arguments = cluster.Settings,
                StartDeadline = NodeStartDeadline,
            }))));
        cluster._nodes.AddRange(started);
        cluster.Observer = await cluster.ConnectAsync();
        await cluster.AwaitFullRingAsync("the first ring with every replica in sync");
        return cluster;
    }

    /// <summary>Starts one more node, joining through the live ones.</summary>
    public NodeProcess Join(string name)
    {
        var node = _processes.StartNode(new NodeOptions { Name = name, Seeds = Live.Select(n => n.Address).ToList(), Arguments = Settings, StartDeadline = NodeStartDeadline });
        _nodes.Add(node);
        return node;
    }

    /// <summary>Starts a killed node again on its port and data directory, joining through the live nodes.</summary>
    public NodeProcess Restart(NodeProcess killed)
    {
        var index = _nodes.IndexOf(killed);
        if (index < 0) throw new ArgumentException($"{killed} is not a node of this cluster.", nameof(killed));
        var again = _processes.Add(killed.Restart(Live.Select(n => n.Address).ToList()));
        _nodes[index] = again;
        return again;
    }

    /// <summary>
    /// A full cluster crash: every live node frozen (SIGSTOP, so none sees another go), then SIGKILLed.
    /// </summary>
    public void KillAll()
    {
        var live = Live;
        foreach (var node in live) node.Freeze();
        foreach (var node in live) Kill(node);
    }

    /// <summary>
    /// Starts every node again at once, each on its port and data directory with the seeds it first had (so the first
    /// node forms the cluster again and the others join it); returns once each says it is up.
    /// </summary>
    public async Task RestartAllAsync()
    {
        if (Live.Count > 0) throw new InvalidOperationException($"Every node must be killed before a full restart; {string.Join(", ", Live)} still run.");
        var again = await Task.WhenAll(_nodes.Select(node => Task.Run(() => _processes.Add(node.Restart()))));
        for (var i = 0; i < again.Length; i++) _nodes[i] = again[i];
    }

    /// <summary>A new client of the live nodes (disposed with the cluster). Requests get a deadline generous enough for a failover on a loaded machine.</summary>
    public async Task<KvClient> ConnectAsync()
    {
        var client = await KvClient.ConnectAsync(new KvClientOptions
        {
            Seeds = Live.Select(n => new HostPort(n.Host, n.Port)).ToList(),
            Timeout = TestKitSettings.Dilated(TimeSpan.FromSeconds(15)),
            RingRefreshInterval = TimeSpan.FromSeconds(1),
        });
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>
    /// The host:port of the oldest member (where the RingManager singleton runs), as a live node's admin actor reports it
    /// once its view names one: a node whose gossip has not converged yet still sees every member Joining.
    /// </summary>
    public async Task<string> OldestMemberAsync()
    {
        await using var admin = await AdminClient.ConnectAsync(new AdminClientOptions
        {
            Seeds = Live.Select(n => new HostPort(n.Host, n.Port)).ToList(),
            Timeout = TestKitSettings.Dilated(TimeSpan.FromSeconds(10)),
        });
        var view = await Awaiting.AwaitAsync(() => admin.ShowAsync(), v => v.SingletonHost.Length > 0, TestKitSettings.Dilated(TimeSpan.FromSeconds(20)),
            v => $"{v.Self} names no singleton host: {v}");
        return view.SingletonHost;
    }

    /// <summary>A ring naming exactly the live nodes, every partition with min(RF 3, nodes) in-sync replicas and no learners.</summary>
    public bool IsFull(RingState ring)
    {
        var live = Live.Select(n => n.Address).Order(StringComparer.Ordinal).ToList();
        return ring.Epoch >= 1
            && ring.Nodes.Select(n => n.Value).Order(StringComparer.Ordinal).SequenceEqual(live)
            && ring.Partitions.All(s => s.InSync.Length == Math.Min(3, live.Count) && s.Learners.IsEmpty);
    }

    public Task<RingState> AwaitFullRingAsync(string what, TimeSpan? deadline = null) => AwaitRingAsync(IsFull, what, deadline);

    /// <summary>Waits until the observer's ring satisfies <paramref name="condition"/>; fails with the last ring seen.</summary>
    public async Task<RingState> AwaitRingAsync(Func<RingState, bool> condition, string what, TimeSpan? deadline = null)
    {
        var max = deadline ?? RingDeadline;
        return (await Awaiting.AwaitAsync(async () =>
            {
                if (_nodes.FirstOrDefault(n => n.HasExited && !_killed.Contains(n)) is { } dead)
                    throw dead.Failure($"{dead} exited while waiting for {what}.");
                if (Observer.Ring is not { } ring || !condition(ring))
                    await Observer.RefreshRingAsync();
                return Observer.Ring;
            }, ring => ring is not null && condition(ring), max,
            ring => $"Expected {what} within {max.TotalSeconds:0} s; the last ring: {Describe(ring)}."))!;
    }

    private readonly HashSet<NodeProcess> _killed = [];

    /// <summary>SIGKILL <paramref name="node"/> (a crash: no leave).</summary>
    public void Kill(NodeProcess node)
    {
        _killed.Add(node);
        node.Kill();
    }

    public static string Describe(RingState? ring) =>
        ring is null ? "none"
            : $"epoch {ring.Epoch}: {string.Join("; ", ring.Partitions.Select((s, p) => $"p{p} [{string.Join(" ", s.InSync)}{(s.Learners.IsEmpty ? "" : $" | learners {string.Join(" ", s.Learners)}")}]"))}";

    /// <summary>Keys named "<paramref name="prefix"/>-N" that fall in <paramref name="partition"/>, as many as asked.</summary>
    public IReadOnlyList<string> KeysIn(int partition, string prefix, int count = 1)
    {
        var partitioner = new Partitioner(Partitions);
        return Enumerable.Range(0, int.MaxValue).Select(i => $"{prefix}-{i}")
            .Where(k => partitioner.PartitionOf(System.Text.Encoding.UTF8.GetBytes(k)) == partition).Take(count).ToList();
    }

    public int PartitionOf(string key) => new Partitioner(Partitions).PartitionOf(System.Text.Encoding.UTF8.GetBytes(key));

    public async ValueTask DisposeAsync()
    {
        List<KvClient> clients;
        lock (_clients) clients = [.. _clients];
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
    }
}
