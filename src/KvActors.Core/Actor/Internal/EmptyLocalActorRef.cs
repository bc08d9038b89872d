using KvActors.Event;

namespace KvActors.Actor.Internal;

/// <summary>
/// What a path with no actor behind it resolves to: messages become dead letters and a Watch
/// is answered at once with Terminated(existenceConfirmed: false).
/// </summary>
public sealed class EmptyLocalActorRef(ActorPath path, ActorSystem system) : MinimalActorRef
{
    internal override ActorSystem? System => system;
    public override ActorPath Path { get; } = path;
    public override bool IsTerminated => true;

    public override void Tell(object message, IActorRef? sender)
    {
        if (message is Identify id) sender?.Tell(new ActorIdentity(id.MessageId, null), this);
        else system.DeadLetters.Tell(new DeadLetter(message, sender, this), sender);
    }

    public override void SendSystemMessage(SystemMessage message) =>
        DeadLetterActorRef.HandleSystemMessageToDeadActor(this, message);
}
