using KvActors.Remote;

namespace KvActors.Cluster.Tests.Simulation;

/// <summary>What simulated nodes send each other.</summary>
internal abstract record SimMessage(UniqueAddress From);
internal sealed record GossipMessage(UniqueAddress From, Gossip Gossip) : SimMessage(From);
internal sealed record JoinMessage(UniqueAddress From, IReadOnlyList<string> Roles) : SimMessage(From);
internal sealed record HeartbeatMessage(UniqueAddress From) : SimMessage(From);
internal sealed record HeartbeatResponse(UniqueAddress From) : SimMessage(From);
