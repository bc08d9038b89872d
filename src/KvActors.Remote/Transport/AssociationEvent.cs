using KvActors.Actor;

namespace KvActors.Remote.Transport;

public enum AssociationEventKind
{
    /// <summary>A handshake completed (inbound or outbound) with <see cref="AssociationEvent.Remote"/>.</summary>
    Associated,
    /// <summary>An established connection was lost or closed.</summary>
    Disassociated,
    /// <summary>A new incarnation (new uid) appeared at an address: <see cref="AssociationEvent.Previous"/> is gone for good.</summary>
    IncarnationReplaced,
    /// <summary><see cref="AssociationEvent.Remote"/> was quarantined: never talked to again.</summary>
    Quarantined,
    /// <summary>A handshake failed (wrong secret, quarantined, version...): <see cref="AssociationEvent.Reason"/>.</summary>
    HandshakeFailed,
}

/// <summary>Lifecycle news for the actor layer (remote DeathWatch, dead letters, event stream).</summary>
public sealed record AssociationEvent(
    AssociationEventKind Kind,
    Address Address,
    UniqueAddress? Remote = null,
    UniqueAddress? Previous = null,
    bool Inbound = false,
    string? Reason = null);
