namespace KvActors.Actor.Internal;

/// <summary>
/// A reference backed by a callback instead of a mailbox (Ask's promise, termination watchers).
/// It lives under /temp and is found there by path while registered.
/// </summary>
internal sealed class FunctionRef(ActorPath path, Action<object, IActorRef?> onMessage, Action<SystemMessage>? onSystemMessage = null)
    : MinimalActorRef
{
    public override ActorPath Path { get; } = path;
    public override void Tell(object message, IActorRef? sender) => onMessage(message, sender);
    public override void SendSystemMessage(SystemMessage message) => onSystemMessage?.Invoke(message);
}
