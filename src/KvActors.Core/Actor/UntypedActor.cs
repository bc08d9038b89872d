namespace KvActors.Actor;

/// <summary>An actor with one method for every message; it calls Unhandled itself for what it does not know.</summary>
public abstract class UntypedActor : ActorBase
{
    protected abstract void OnReceive(object message);

    protected internal sealed override bool Receive(object message)
    {
        OnReceive(message);
        return true;
    }
}
