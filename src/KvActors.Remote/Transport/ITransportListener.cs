namespace KvActors.Remote.Transport;

/// <summary>
/// Where the transport hands everything upward: the actor layer implements this (routing
/// inbound envelopes to actors, dropped ones to dead letters, events to remote DeathWatch).
/// Calls come from I/O loops: keep them short and non-blocking. Exceptions are logged and swallowed.
/// </summary>
public interface ITransportListener
{
    /// <summary>One deserialized inbound message; called in arrival order per connection.</summary>
    void OnInbound(in InboundEnvelope envelope);
    void OnAssociationEvent(AssociationEvent e);
    /// <summary>An outbound message that will not be delivered.</summary>
    void OnDropped(in DroppedEnvelope dropped);
}
