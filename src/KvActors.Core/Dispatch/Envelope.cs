using KvActors.Actor;

namespace KvActors.Dispatch;

/// <summary>A user message with its sender, as it sits in a mailbox. A struct: no allocation per message.</summary>
public readonly struct Envelope(object message, IActorRef? sender)
{
    public object Message { get; } = message;
    public IActorRef? Sender { get; } = sender;
}
