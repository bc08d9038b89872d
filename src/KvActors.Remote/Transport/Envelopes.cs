using KvActors.Actor;

namespace KvActors.Remote.Transport;

/// <summary>A message to send: recipient and sender are full actor paths (sender may be null).</summary>
public readonly record struct OutboundEnvelope(string Recipient, string? Sender, object Message);

/// <summary>A message that arrived from <see cref="From"/> (the proven, handshaken peer).</summary>
public readonly record struct InboundEnvelope(UniqueAddress From, string Recipient, string? Sender, object Message);

/// <summary>Why an outbound message was not sent.</summary>
public enum DropReason
{
    /// <summary>The association is gated after a failure (backoff before reconnecting).</summary>
    Gated,
    /// <summary>The peer incarnation is quarantined.</summary>
    Quarantined,
    /// <summary>Addressed to an old incarnation of a peer that has since restarted.</summary>
    StaleIncarnation,
    /// <summary>The outbound queue bound was reached.</summary>
    QueueFull,
    /// <summary>The encoded frame exceeds the maximum frame size.</summary>
    TooLarge,
    /// <summary>No serializer for the message, or it threw.</summary>
    SerializationFailed,
    /// <summary>The transport is shutting down.</summary>
    ShutDown,
}

/// <summary>An outbound message that will not be delivered, handed to the actor layer for dead letters.</summary>
public readonly record struct DroppedEnvelope(Address To, OutboundEnvelope Envelope, DropReason Reason);

/// <summary>The result of Send: only <see cref="Enqueued"/> means the message is on its way.</summary>
public enum SendResult
{
    Enqueued,
    Gated,
    Quarantined,
    StaleIncarnation,
    QueueFull,
    TooLarge,
    SerializationFailed,
    ShutDown,
}
