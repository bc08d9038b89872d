using KvActors.Actor;
using KvActors.Actor.Internal;

namespace KvActors.Remote;

/// <summary>
/// A reference to an actor in another actor system: Tell serializes the message and hands it
/// to the transport; system messages (Watch, Unwatch, Terminated notices) go through reliable
/// delivery, and a Watch also starts remote DeathWatch heartbeats to that system.
/// </summary>
public sealed class RemoteActorRef : InternalActorRef
{
    private readonly RemoteActorRefProvider _provider;

    internal RemoteActorRef(RemoteActorRefProvider provider, ActorPath path)
    {
        _provider = provider;
        Path = path;
        PathString = path.ToSerializationFormat();
    }

    public override ActorPath Path { get; }

    /// <summary>The path as it travels on the wire, computed once.</summary>
    internal string PathString { get; }

    public override bool IsLocal => false;
    internal override ActorSystem? System => _provider.System;

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        _provider.SendUserMessage(this, message, sender);
    }

    public override void SendSystemMessage(SystemMessage message) => _provider.SendSystemMessage(this, message);

    public override InternalActorRef? GetChild(string name) => new RemoteActorRef(_provider, Path / name);
}
