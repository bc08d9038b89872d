namespace KvActors.Actor;

/// <summary>Anything a message can be told to: an actor reference or a selection.</summary>
public interface ICanTell
{
    /// <summary>Sends without waiting; never blocks. <paramref name="sender"/> may be null (no sender).</summary>
    void Tell(object message, IActorRef? sender);
}

/// <summary>An immutable, location-transparent handle to an actor.</summary>
public interface IActorRef : ICanTell, IEquatable<IActorRef>, IComparable<IActorRef>
{
    ActorPath Path { get; }
}

public static class ActorRefExtensions
{
    /// <summary>Tells with the current actor as sender when called inside an actor, else no sender.</summary>
    public static void Tell(this ICanTell target, object message) =>
        target.Tell(message, Internal.ActorCell.Current?.Self);

    /// <summary>Passes the message on keeping the original sender (inside an actor only).</summary>
    public static void Forward(this IActorRef target, object message)
    {
        var cell = Internal.ActorCell.Current
            ?? throw new InvalidOperationException("Forward can only be called from inside an actor.");
        target.Tell(message, cell.Sender);
    }

    /// <summary>True for null, Nobody and the system's dead letters.</summary>
    public static bool IsNobody(this IActorRef? actorRef) =>
        actorRef is null || actorRef is Internal.Nobody || actorRef is Internal.DeadLetterActorRef;
}

/// <summary>Well-known references.</summary>
public static class ActorRefs
{
    /// <summary>A reference that swallows everything; used where a ref is required but none exists.</summary>
    public static IActorRef Nobody => Internal.Nobody.Instance;

    /// <summary>Use as the sender when there is none.</summary>
    public static readonly IActorRef? NoSender = null;
}
