using KvActors.Event;

namespace KvActors.Actor.Internal;

/// <summary>
/// Where messages for stopped actors go: each one is published as a <see cref="DeadLetter"/>.
/// System messages for dead actors are answered here so DeathWatch stays exact: a Watch of an
/// actor that is already gone gets its DeathWatchNotification at once.
/// </summary>
public sealed class DeadLetterActorRef : MinimalActorRef
{
    private readonly EventStream _eventStream;

    private readonly ActorSystem _system;

    internal DeadLetterActorRef(ActorPath path, ActorSystem system)
    {
        Path = path;
        _system = system;
        _eventStream = system.EventStream;
    }

    internal override ActorSystem? System => _system;

    public override ActorPath Path { get; }

    public override void Tell(object message, IActorRef? sender)
    {
        switch (message)
        {
            case DeadLetter d: _eventStream.Publish(d); break;
            case Dropped d: _eventStream.Publish(d); break;
            case Identify id: sender?.Tell(new ActorIdentity(id.MessageId, null), this); break;
            default: _eventStream.Publish(new DeadLetter(message, sender, this)); break;
        }
    }

    public override void SendSystemMessage(SystemMessage message) => HandleSystemMessageToDeadActor(this, message);

    /// <summary>What a dead actor does with a system message: only Watch needs an answer.</summary>
    internal static void HandleSystemMessageToDeadActor(IActorRef deadActor, SystemMessage message)
    {
        if (message is Watch w && w.Watcher is InternalActorRef watcher && !w.Watcher.Equals(deadActor))
            watcher.SendSystemMessage(new DeathWatchNotification(w.Watchee, existenceConfirmed: false, addressTerminated: false));
    }
}
