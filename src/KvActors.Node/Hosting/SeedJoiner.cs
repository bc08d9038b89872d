using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using KvActors.Client;
using KvActors.Store.Security;

namespace KvActors.Node.Hosting;

/// <summary>
/// Joins the cluster through the seed nodes with Akka's own seed-node process, but only once a
/// seed accepts connections (and, with TLS, our certificate). Akka would start at once and log a
/// WARN "Tried to associate with unreachable remote address" per attempt while the seed is still starting; that is the
/// normal case of a cold start, so we wait quietly instead (Akka has no setting for it). A node
/// that is the first seed itself joins at once: it may have to form the cluster.
/// </summary>
internal static class SeedJoiner
{
    // Backs off from 250 ms to 5 s: quick in a cold start, and a node refused for its certificate
    // does not fill the seed's log with handshake failures.
    private static readonly TimeSpan FirstProbeInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxProbeInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    public static void Start(ActorSystem system, IReadOnlyList<HostPort> seeds, string systemName, ClusterCertificate? certificate)
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
        _ = WaitForASeed(system, seeds, addresses, cluster, certificate);
    }

    private static async Task WaitForASeed(ActorSystem system, IReadOnlyList<HostPort> seeds, List<Address> addresses, Cluster cluster, ClusterCertificate? certificate)
    {
        var log = Logging.GetLogger(system, nameof(SeedJoiner));
        string? lastReasons = null;
        var interval = FirstProbeInterval;
        while (!system.WhenTerminated.IsCompleted)
        {
            var reasons = new List<string>();
            foreach (var seed in seeds)
            {
                if (await EndpointProbe.ProbeAsync(seed, certificate, ProbeTimeout).ConfigureAwait(false) is not { } failure)
                {
                    cluster.JoinSeedNodes(addresses);
                    return;
                }
                reasons.Add($"{seed} {failure}");
            }
            // Said once per change: a seed that is still starting is normal, a refused certificate is not.
            var text = string.Join("; ", reasons);
            if (text != lastReasons)
            {
                if (text.Contains("TLS", StringComparison.Ordinal)) log.Warning("Waiting for a seed node: {0}.", text);
                else log.Info("Waiting for a seed node: {0}.", text);
                lastReasons = text;
            }
            await Task.Delay(interval).ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxProbeInterval.Ticks));
        }
    }
}
