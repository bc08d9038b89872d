using KvActors.Actor;
using KvActors.Client;
using KvActors.Node.Admin;
using KvActors.Node.Startup;
using KvActors.Remote;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KvActors.Node.Hosting;

/// <summary>
/// Runs the node inside the generic host: starts the admin actor, ties signals to the
/// coordinated shutdown, and stops the host once the actor system has terminated.
/// </summary>
public sealed class NodeService(
    ActorSystem system, IClusterAdmin cluster, NodeSettings settings,
    IHostApplicationLifetime lifetime, ILogger<NodeService> log) : IHostedService
{
    private IDisposable? _signals;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        system.SystemActorOf(Props.Create(() => new AdminActor(cluster)), AdminPaths.ActorName);
        _signals = system.RunCoordinatedShutdownOnSignals();
        system.WhenTerminated.ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
        var address = ((RemoteActorRefProvider)system.Provider).DefaultAddress;
        // Without seeds a node forms a cluster of its own, which others can then join through it.
        if (settings.SeedNodes.Count == 0) KvActors.Cluster.Cluster.Get(system).Join(address);
        log.LogInformation("Node {Name} is up at {Address} (admin at /system/{Admin}; seeds: {Seeds}; data-dir: {DataDir}).",
            settings.Name, address, AdminPaths.ActorName,
            settings.SeedNodes.Count == 0 ? "none" : string.Join(", ", settings.SeedNodes), settings.DataDir);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Terminate runs the coordinated shutdown (or joins the one a signal already started).
        await system.Terminate().WaitAsync(cancellationToken).ConfigureAwait(false);
        _signals?.Dispose();
        log.LogInformation("Node {Name} stopped.", settings.Name);
    }
}
