using Akka.Actor;
using KvActors.Store.Partitioning;

namespace KvActors.Store.Shards;

/// <summary>
/// The partition actors the node's <see cref="ShardHost"/> runs, by partition, for a front end in the same process
/// (RESP): it sends a request straight to the key's partition actor, with the same sender and the same answers as
/// through the host, but without a second mailbox hop per request. The host publishes a new view after each ring it
/// applies. A view may be a moment old: a request to an actor that was just stopped goes unanswered, as one the host
/// forwarded just before the stop would, and the caller's timeout covers both. Thread-safe; an Akka extension, one per
/// actor system.
/// </summary>
public sealed class LocalShards : IExtension
{
    private volatile View _view = new(null, []);

    public static LocalShards Get(ActorSystem system) => system.WithExtension<LocalShards, LocalShardsProvider>();

    /// <summary>The actor of <paramref name="key"/>'s partition on this node; null when this node holds no replica of it (or has no ring yet).</summary>
    public IActorRef? ShardOf(ReadOnlySpan<byte> key)
    {
        var view = _view;
        return view.Partitioner is { } partitioner ? view.Shards[partitioner.PartitionOf(key)] : null;
    }

    /// <summary>The host's current shards (partition -> actor) under a ring of <paramref name="partitionCount"/> partitions.</summary>
    internal void Publish(int partitionCount, IReadOnlyDictionary<int, IActorRef> shards)
    {
        var byPartition = new IActorRef?[partitionCount];
        foreach (var (partition, shard) in shards)
            byPartition[partition] = shard;
        var partitioner = _view.Partitioner?.PartitionCount == partitionCount ? _view.Partitioner : new Partitioner(partitionCount);
        _view = new View(partitioner, byPartition);
    }

    /// <summary>The host stopped: nothing is sent past it any more.</summary>
    internal void Clear() => _view = new View(null, []);

    private sealed record View(Partitioner? Partitioner, IActorRef?[] Shards);
}

/// <summary>Akka's extension id for <see cref="LocalShards"/>.</summary>
public sealed class LocalShardsProvider : ExtensionIdProvider<LocalShards>
{
    public override LocalShards CreateExtension(ExtendedActorSystem system) => new();
}
