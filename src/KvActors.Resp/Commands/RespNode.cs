using KvActors.Resp.Cluster;
using KvActors.Resp.Server;

namespace KvActors.Resp.Commands;

/// <summary>What every connection of one node's RESP server shares: settings, the store, the placement, the figures INFO reports.</summary>
public sealed class RespNode(RespSettings settings, IRespStore store, ClusterTopology topology, string nodeName, TimeProvider? clock = null)
{
    /// <summary>The Redis version we report (HELLO, INFO): clients pick features by it; 7.2 matches the commands we answer.</summary>
    public const string RedisVersion = "7.2.0";

    public RespSettings Settings { get; } = settings;
    public IRespStore Store { get; } = store;
    public ClusterTopology Topology { get; } = topology;
    public string NodeName { get; } = nodeName;
    public TimeProvider Clock { get; } = clock ?? TimeProvider.System;
    public DateTimeOffset StartedAt { get; } = (clock ?? TimeProvider.System).GetUtcNow();
    public ServerStats Stats { get; } = new();

    /// <summary>The port clients reach this node's RESP server on (known once it listens).</summary>
    public int Port => Topology.SelfEndpoint.Port;
}

/// <summary>Counters INFO reports; updated by the server and its connections.</summary>
public sealed class ServerStats
{
    private long _connected;
    private long _totalConnections;
    private long _rejected;
    private long _commands;
    private long _nextClientId;

    public long ConnectedClients => Interlocked.Read(ref _connected);
    public long TotalConnections => Interlocked.Read(ref _totalConnections);
    public long RejectedConnections => Interlocked.Read(ref _rejected);
    public long CommandsProcessed => Interlocked.Read(ref _commands);

    /// <summary>Counts a new connection and gives it its CLIENT ID.</summary>
    public long Connected()
    {
        Interlocked.Increment(ref _connected);
        Interlocked.Increment(ref _totalConnections);
        return Interlocked.Increment(ref _nextClientId);
    }

    public void Disconnected() => Interlocked.Decrement(ref _connected);

    public void Rejected() => Interlocked.Increment(ref _rejected);

    public void CommandProcessed() => Interlocked.Increment(ref _commands);
}
