using KvActors.Resp.Protocol;

namespace KvActors.Resp.Commands;

/// <summary>
/// One connection's state, changed only by its own commands, in the order they arrive: the protocol (HELLO), whether it
/// has authenticated, its name and library (CLIENT), replica reads (READONLY).
/// </summary>
public sealed class RespSession(RespNode node, long id, string remoteAddress)
{
    public RespNode Node { get; } = node;

    /// <summary>CLIENT ID.</summary>
    public long Id { get; } = id;

    public string RemoteAddress { get; } = remoteAddress;

    public RespVersion Version { get; set; } = RespVersion.Resp2;

    public bool Authenticated { get; set; } = node.Settings.Password.Length == 0;

    public string? Name { get; set; }

    public string? LibraryName { get; set; }

    public string? LibraryVersion { get; set; }

    /// <summary>READONLY: reads on this connection may be answered by a replica (possibly stale).</summary>
    public bool ReplicaReads { get; set; }

    /// <summary>Set by QUIT: the connection closes once the reply is written.</summary>
    public bool CloseAfterReply { get; set; }

    /// <summary>A copy of the state now, for a command that runs later: commands after it must not change what it sees.</summary>
    public RespSession Snapshot() => (RespSession)MemberwiseClone();
}
