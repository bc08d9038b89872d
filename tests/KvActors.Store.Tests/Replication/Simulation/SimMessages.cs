using KvActors.Store.Partitioning;
using KvActors.Store.Replication;

namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>A client request as the simulated shell receives it: a write, a command, or a read of <see cref="ReadKey"/>.</summary>
public sealed record ClientRequestMessage(RequestId Id, KvOperation? Write, byte[]? ReadKey, ReadMode Mode, KvCommand? Command = null, bool Resent = false);

/// <summary>A client asks the manager for the current configuration (the client library follows publications).</summary>
public sealed record ClientConfigRequest;

/// <summary>
/// A node's periodic "I am alive" to the manager's failure detector (stands in for cluster gossip), with the node's
/// process incarnation: a new one is a restarted member.
/// </summary>
public sealed record Alive(int Incarnation);

/// <summary>The RingManager publishes its ring to a node (<see cref="SimulationOptions.RingManager"/> runs).</summary>
public sealed record RingPublished(RingState Ring);
