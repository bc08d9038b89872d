namespace KvActors.Actor.Internal;

/// <summary>
/// What the runtime (and remoting) needs from a reference beyond Tell: system messages,
/// the parent, and whether the actor is known to be gone. Equality is by path and uid.
/// </summary>
public abstract class InternalActorRef : IActorRef
{
    public abstract ActorPath Path { get; }
    public abstract void Tell(object message, IActorRef? sender);
    public abstract void SendSystemMessage(SystemMessage message);

    /// <summary>True when the actor is local to this system (no network hop).</summary>
    public virtual bool IsLocal => true;

    /// <summary>True once the actor is known to have stopped.</summary>
    public virtual bool IsTerminated => false;

    public virtual InternalActorRef? Parent => null;

    /// <summary>The child of this actor with the given name, or null; used to resolve paths.</summary>
    public virtual InternalActorRef? GetChild(string name) => null;

    public virtual void Stop() => SendSystemMessage(new Terminate());

    /// <summary>The system this reference belongs to, when it knows it (Ask needs its scheduler).</summary>
    internal virtual ActorSystem? System => null;

    public bool Equals(IActorRef? other) =>
        other is not null && Path.Uid == other.Path.Uid && Path.Equals(other.Path);

    public override bool Equals(object? obj) => obj is IActorRef r && Equals(r);
    public override int GetHashCode() => Path.Uid == 0 ? Path.GetHashCode() : HashCode.Combine(Path.Uid, Path.Name);

    public int CompareTo(IActorRef? other)
    {
        if (other is null) return 1;
        var c = Path.CompareTo(other.Path);
        return c != 0 ? c : Path.Uid.CompareTo(other.Path.Uid);
    }

    public override string ToString() => Path.Uid == 0 ? $"[{Path}]" : $"[{Path}#{Path.Uid}]";
}

/// <summary>A reference with no mailbox of its own (promises, dead letters, Nobody).</summary>
public abstract class MinimalActorRef : InternalActorRef
{
    public override void SendSystemMessage(SystemMessage message) { }
}

/// <summary>Swallows every message.</summary>
public sealed class Nobody : MinimalActorRef
{
    public static readonly Nobody Instance = new();
    private static readonly ActorPath NobodyPath = new RootActorPath(Address.Local("all-systems")) / "Nobody";
    private Nobody() { }
    public override ActorPath Path => NobodyPath;
    public override bool IsTerminated => true;
    public override void Tell(object message, IActorRef? sender) { }
}
