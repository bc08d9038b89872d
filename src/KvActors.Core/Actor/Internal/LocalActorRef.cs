using KvActors.Dispatch;

namespace KvActors.Actor.Internal;

/// <summary>A reference to an actor in this system: Tell puts the message in its mailbox.</summary>
public sealed class LocalActorRef : InternalActorRef
{
    internal LocalActorRef(ActorSystem system, Props props, InternalActorRef parent, ActorPath path)
    {
        Path = path;
        Cell = new ActorCell(system, this, props, parent);
    }

    public override ActorPath Path { get; }
    internal ActorCell Cell { get; }

    public override bool IsTerminated => Cell.IsTerminated;
    public override InternalActorRef? Parent => Cell.ParentRef;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Mailbox.Enqueue(new Envelope(message, sender));
    }

    public override void SendSystemMessage(SystemMessage message) => Cell.Mailbox.SystemEnqueue(message);

    public override InternalActorRef? GetChild(string name) => Cell.GetChildRef(name);

    internal override ActorSystem? System => Cell.System;
}
