using Akka.Actor;
using KvActors.Storage;
using KvActors.Storage.Engine;
using KvActors.Store.Ring;

namespace KvActors.Store.Shards;

/// <summary>What <see cref="StoreHost.Start"/> started on a node.</summary>
public sealed record StoreNode(IActorRef Shards, IActorRef Replicator, IStorageEngine Engine);

/// <summary>Starts the node's data path (kvnode calls it once, after <see cref="RingHost.Start"/>).</summary>
public static class StoreHost
{
    /// <summary>The node's <see cref="ShardHost"/>: <c>/user/shards</c>. Clients send Put/Get/Delete here, replicators their batches.</summary>
    public const string ShardsName = "shards";
    public const string ShardsPath = "/user/" + ShardsName;

    /// <summary>The node's <see cref="ReplicatorActor"/>: <c>/user/replicator</c>.</summary>
    public const string ReplicatorName = "replicator";
    public const string ReplicatorPath = "/user/" + ReplicatorName;

    /// <summary>The node's <see cref="ShardReportLog"/>: <c>/user/shard-reports</c>.</summary>
    public const string ReportLogName = "shard-reports";

    /// <summary>The shard host on the node at <paramref name="node"/>.</summary>
    public static ActorPath ShardsOf(Address node) => new RootActorPath(node) / "user" / ShardsName;

    /// <summary>
    /// Opens the node's storage engine (<see cref="FileStorageEngine"/> under <see cref="StorageSettings.DataDir"/>,
    /// recovering the log; disposed when the actor system terminates), then starts the <see cref="ReplicatorActor"/> and
    /// the <see cref="ShardHost"/>. <paramref name="ringManager"/> is what <see cref="RingHost.Start"/> returned (its route to the acting RingManager).
    /// <paramref name="storageLogger"/> gets what the engine reports (what recovery cut or found damaged, failed writes).
    /// </summary>
    public static StoreNode Start(ActorSystem system, StorageSettings storage, IActorRef ringManager, ShardSettings? settings = null,
        Microsoft.Extensions.Logging.ILogger? storageLogger = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(storage);
        var engine = FileStorageEngine.Open(storage.Validated(), storageLogger);
        system.RegisterOnTermination(engine.Dispose);
        return Start(system, engine, ringManager, (settings ?? new ShardSettings()).WithLimitsOf(storage));
    }

    /// <summary>The same over a given engine (which the caller disposes), e.g. an <see cref="InMemoryStorageEngine"/>.</summary>
    public static StoreNode Start(ActorSystem system, IStorageEngine engine, IActorRef ringManager, ShardSettings settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(settings);
        var self = RingPaths.NodeIdOf(((ExtendedActorSystem)system).Provider.DefaultAddress);
        var load = new ReplicatorLoad(Math.Max(1, settings.MaxQueuedPerDestination / 2));
        system.ActorOf(ShardReportLog.Props(), ReportLogName);
        var replicator = system.ActorOf(ReplicatorActor.Props(self, settings, load), ReplicatorName);
        var shards = system.ActorOf(ShardHost.Props(self, engine, replicator, ringManager, settings, load), ShardsName);
        return new StoreNode(shards, replicator, engine);
    }
}
