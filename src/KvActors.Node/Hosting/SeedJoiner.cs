using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using KvActors.Client;

namespace KvActors.Node.Hosting;

/// <summary>
/// Joins the cluster through the seed nodes with Akka's own seed-node process, but only once a
/// seed accepts TCP connections. Akka would start at once and log a WARN "Tried to associate with
/// unreachable remote address" for every attempt while the seed is still starting; that is the
/// normal case of a cold start, so we wait quietly instead (Akka has no setting for it). A node
/// that is the first seed itself joins at once: it may have to form the cluster.
/// </summary>
internal static class SeedJoiner
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    public static void Start(ActorSystem system, IReadOnlyList<HostPort> seeds, string systemName)
    {
        var cluster = Cluster.Get(system);
        var self = cluster.SelfAddress;
        var addresses = seeds.Select(s => new Address(self.Protocol, systemName, s.Host, s.Port)).ToList();
        if (addresses.Count == 0)
        {
            // Without seeds a node forms a cluster of its own, which others can then join through it.
            cluster.Join(self);
            return;
        }
        if (addresses[0] == self)
        {
            cluster.JoinSeedNodes(addresses);
            return;
        }
        _ = WaitForASeed(system, seeds, addresses, cluster);
    }

    private static async Task WaitForASeed(ActorSystem system, IReadOnlyList<HostPort> seeds, List<Address> addresses, Cluster cluster)
    {
        var log = Logging.GetLogger(system, nameof(SeedJoiner));
        var announced = false;
        while (!system.WhenTerminated.IsCompleted)
        {
            foreach (var seed in seeds)
            {
                if (await Accepts(seed).ConfigureAwait(false))
                {
                    cluster.JoinSeedNodes(addresses);
                    return;
                }
            }
            if (!announced)
            {
                log.Info("Waiting for a seed node to listen ({0}).", string.Join(", ", seeds));
                announced = true;
            }
            await Task.Delay(ProbeInterval).ConfigureAwait(false);
        }
    }

    private static async Task<bool> Accepts(HostPort seed)
    {
        using var tcp = new TcpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await tcp.ConnectAsync(seed.Host, seed.Port, deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
