using Akka.Actor;
using KvActors.Client;
using KvActors.Resp.Cluster;
using KvActors.Resp.Commands;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Security;
using Microsoft.Extensions.Logging;

namespace KvActors.Resp.Server;

/// <summary>
/// Starts a node's RESP front end on its own actor system, after the ring and the store (kvnode calls it once; the
/// in-process specs do the same): a <see cref="KvClient"/> attached to the system routes the commands' requests, a
/// <see cref="RingWatcher"/> keeps the placement for the CLUSTER commands, and the members' <see cref="RespRole"/>s give
/// the other nodes' RESP endpoints. Everything stops when the actor system terminates.
/// </summary>
public static class RespHost
{
    public const string WatcherName = "resp-ring-watcher";

    /// <summary>Binds the listener of <paramref name="settings"/> (port <see cref="RespSettings.AnyPort"/> = a free one) before the node starts, so the port can be announced.</summary>
    public static Task<RespServer> BindAsync(RespSettings settings, ILoggerFactory? loggers = null) =>
        RespServer.BindAsync(settings.Host, settings.Port == RespSettings.AnyPort ? 0 : settings.Port, loggers);

    public static RespNode Start(ActorSystem system, RespServer server, RespSettings settings, string nodeName, ClusterCertificate? certificate = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(server);
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        var self = RingPaths.NodeIdOf(address);
        var client = KvClient.Attach(system, new KvClientOptions
        {
            Seeds = [new HostPort(address.Host!, address.Port!.Value)],
            SystemName = system.Name,
            Host = address.Host!,
            Timeout = settings.RequestTimeout,
            // The own keeper is asked: cheap, and a new ring is learnt within a second even without a NotPrimary.
            RingRefreshInterval = TimeSpan.FromSeconds(1),
        }, certificate);
        var cluster = Akka.Cluster.Cluster.Get(system);
        var topology = new ClusterTopology(self, new RespEndpoint(settings.Host, server.EndPoint.Port), () => Endpoints(cluster));
        system.ActorOf(RingWatcher.Props(topology), WatcherName);
        var store = new ClusterStore(system, client, self, settings.RequestTimeout);
        var node = new RespNode(settings, store, topology, nodeName);
        server.Start(node, logger);
        system.RegisterOnTermination(() =>
        {
            server.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
            client.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
            store.Dispose();
        });
        return node;
    }

    /// <summary>The RESP endpoint of every member that announces one, by its ring name.</summary>
    private static IReadOnlyDictionary<NodeId, RespEndpoint> Endpoints(Akka.Cluster.Cluster cluster)
    {
        var endpoints = new Dictionary<NodeId, RespEndpoint>();
        foreach (var member in cluster.State.Members)
        {
            if (RespRole.PortIn(member.Roles) is not { } port || member.Address.Host is not { } host || member.Address.Port is null) continue;
            endpoints[RingPaths.NodeIdOf(member.Address)] = new RespEndpoint(host, port);
        }
        return endpoints;
    }
}
