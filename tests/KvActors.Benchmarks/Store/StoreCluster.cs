using System.Diagnostics;
using KvActors.Benchmarks.Cluster;
using KvActors.Client;
using KvActors.Store.Partitioning;

namespace KvActors.Benchmarks.Store;

/// <summary>
/// N real kvnode processes on loopback, each with all N as seeds (so a restarted first seed joins the others rather than
/// forming a cluster of its own), with the first ring waiting for all N
/// (kvactors.cluster.min-nr-of-members = N) so every replica starts in sync, plus a <see cref="KvClient"/> in this
/// process that follows their ring. Dispose kills every node and removes their data.
/// </summary>
public sealed class StoreCluster : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);
    private readonly string _dataRoot;

    private readonly string _what;

    private StoreCluster(List<KvNodeProcess> nodes, string dataRoot, int replicationFactor, string what)
    {
        _what = what;
        Nodes = nodes;
        _dataRoot = dataRoot;
        ReplicationFactor = replicationFactor;
    }

    public List<KvNodeProcess> Nodes { get; }

    public int ReplicationFactor { get; }

    public KvClient Client { get; private set; } = null!;

    public string Seeds => string.Join(",", Nodes.Select(n => n.HostPort));

    public static async Task<StoreCluster> StartAsync(string what, int count, IReadOnlyList<string> settings, string? logDirectory = null)
    {
        var dataRoot = ClusterBenchmarks.TempRoot($"store-{what}");
        var ports = new HashSet<int>();
        while (ports.Count < count) ports.Add(KvNodeProcess.FreePort());
        var p = ports.ToArray();
        var rf = settings.Select(s => s.StartsWith("-Dkvactors.store.replication-factor=", StringComparison.Ordinal) ? int.Parse(s.Split('=')[1]) : 0).Max();
        var cluster = new StoreCluster([], dataRoot, Math.Min(rf == 0 ? 3 : rf, count), what) { LogDirectory = logDirectory };
        try
        {
            string[] all = [$"-Dkvactors.cluster.min-nr-of-members={count}", .. settings];
            for (var i = 0; i < count; i++)
                cluster.Nodes.Add(KvNodeProcess.Start($"n{i + 1}", p[i], p, Path.Combine(dataRoot, $"n{i + 1}"), all));
            await cluster.AwaitListeningAsync();
            cluster.Client = await KvClient.ConnectAsync(new KvClientOptions
            {
                Seeds = cluster.Nodes.Select(n => new HostPort("127.0.0.1", n.Port)).ToList(),
                Timeout = TimeSpan.FromSeconds(10),
                RingRefreshInterval = TimeSpan.FromSeconds(1),
            });
            await cluster.AwaitFullRingAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every node has logged that it is up (its remoting endpoint listens).</summary>
    private async Task AwaitListeningAsync()
    {
        var clock = Stopwatch.StartNew();
        while (!Nodes.All(n => n.Lines.Any(l => l.Line.Contains(" is up at ", StringComparison.Ordinal))))
        {
            if (ClusterBenchmarks.Exited(Nodes) is { } why) throw new InvalidOperationException(why);
            if (clock.Elapsed > ReadyTimeout) throw new TimeoutException($"not every kvnode said it is up within {ReadyTimeout.TotalSeconds:0} s.");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until the client's ring names every node and gives each partition <see cref="ReplicationFactor"/>
    /// in-sync replicas and no learners (after a start or a restart: every catch-up done).
    /// </summary>
    public async Task<RingState> AwaitFullRingAsync(Func<RingState, bool>? also = null)
    {
        var clock = Stopwatch.StartNew();
        var expected = Nodes.Select(n => n.HostPort).Order(StringComparer.Ordinal).ToList();
        while (true)
        {
            if (ClusterBenchmarks.Exited(Nodes) is { } why) throw new InvalidOperationException(why);
            if (Client.Ring is { } ring && IsFull(ring, expected) && (also is null || also(ring))) return ring;
            if (clock.Elapsed > ReadyTimeout)
                throw new TimeoutException($"the ring did not reach {ReplicationFactor} in-sync replicas per partition on {string.Join(", ", expected)} within {ReadyTimeout.TotalSeconds:0} s: {Describe(Client.Ring)}");
            await Client.RefreshRingAsync();
            await Task.Delay(100);
        }
    }

    private bool IsFull(RingState ring, IReadOnlyList<string> expected) =>
        ring.Epoch >= 1
        && ring.Nodes.Select(n => n.Value).Order(StringComparer.Ordinal).SequenceEqual(expected)
        && ring.Partitions.All(s => s.InSync.Length == ReplicationFactor && s.Learners.IsEmpty);

    public static string Describe(RingState? ring) =>
        ring is null ? "no ring yet"
            : $"{ring}: {ring.Partitions.Count(s => s.InSync.Length < ring.ReplicationFactor)} partitions short of in-sync replicas, {ring.Partitions.Sum(s => s.Learners.Length)} learners, nodes {string.Join(", ", ring.Nodes)}";

    /// <summary>The host:port of the oldest member (the RingManager's host), as a node's admin actor reports it.</summary>
    public async Task<string> OldestMemberAsync()
    {
        await using var admin = await AdminClient.ConnectAsync(new AdminClientOptions
        {
            Seeds = Nodes.Where(n => !n.HasExited).Select(n => new HostPort("127.0.0.1", n.Port)).ToList(),
            Timeout = TimeSpan.FromSeconds(5),
        });
        var view = await admin.ShowAsync();
        if (view.SingletonHost.Length > 0) return view.SingletonHost;
        return view.Members.Where(m => m.Status == "Up").MinBy(m => m.UpNumber)?.Address
            ?? throw new InvalidOperationException($"{view.Self} knows no Up member.");
    }

    /// <summary>Where <see cref="DisposeAsync"/> writes each node's output (NAME-what.log), when set (--logs DIR).</summary>
    public string? LogDirectory { get; set; }

    /// <summary>Output of nodes that were restarted: kept here, as the restart starts a fresh log.</summary>
    public List<(string Name, IReadOnlyList<string> Lines)> EarlierLogs { get; } = [];

    public async ValueTask DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        foreach (var n in Nodes) n.Dispose();
        if (LogDirectory is not null)
        {
            Directory.CreateDirectory(LogDirectory);
            var logs = EarlierLogs.Concat(Nodes.Select(n => (Name: n.Name, Lines: (IReadOnlyList<string>)n.Lines.Select(l => l.Line).ToList())));
            foreach (var group in logs.GroupBy(l => l.Name))
                await File.WriteAllLinesAsync(Path.Combine(LogDirectory, $"{group.Key}-{_what}.log"), group.SelectMany(g => g.Lines));
        }
        ClusterBenchmarks.DeleteQuietly(_dataRoot);
    }
}
