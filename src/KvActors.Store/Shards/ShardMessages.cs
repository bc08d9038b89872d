using KvActors.Store.Partitioning;
using KvActors.Store.Replication;

namespace KvActors.Store.Shards;

// Local messages of the shard layer: they never leave the node (what crosses the wire is store.proto).

/// <summary>ShardHost -> ShardActor: the ring the node applied; the actor feeds its partition's replica set to the core.</summary>
public sealed record ShardRing(RingState Ring);

/// <summary>ShardHost -> ShardActor: a message from another replica of the partition, unpacked from a <c>ReplicationBatch</c>.</summary>
public sealed record InboundReplication(ReplicationMessage Message);

/// <summary>ShardActor -> the node's ReplicatorActor: send <paramref name="Message"/> about <paramref name="Partition"/> to node <paramref name="To"/> ("host:port").</summary>
public sealed record OutboundReplication(string To, int Partition, ReplicationMessage Message);

/// <summary>
/// ShardHost -> the node's ReplicatorActor, sent by the replicator of <paramref name="FromNode"/>: its batch
/// <paramref name="BatchId"/> was handed to the shards (the replicator owes it an acknowledgement), and it acknowledged
/// this node's batches through <paramref name="AcksThroughBatchId"/> (0: none).
/// </summary>
public sealed record BatchReceived(string FromNode, long BatchId, long AcksThroughBatchId);
