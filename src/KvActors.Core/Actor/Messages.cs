namespace KvActors.Actor;

/// <summary>Messages the runtime itself understands; an actor never needs a handler for them.</summary>
public interface IAutoReceivedMessage;

/// <summary>Stops the actor once it reaches it in the mailbox (messages before it are processed).</summary>
public sealed class PoisonPill : IAutoReceivedMessage
{
    public static readonly PoisonPill Instance = new();
    private PoisonPill() { }
    public override string ToString() => "PoisonPill";
}

/// <summary>Makes the actor throw <see cref="ActorKilledException"/>, so its supervisor decides (by default: stop).</summary>
public sealed class Kill : IAutoReceivedMessage
{
    public static readonly Kill Instance = new();
    private Kill() { }
    public override string ToString() => "Kill";
}

/// <summary>Delivered exactly once to every watcher when a watched actor stops.</summary>
/// <param name="ExistenceConfirmed">false when the actor was already gone when watched.</param>
/// <param name="AddressTerminated">true when the actor's whole system was declared dead (remote failure).</param>
public sealed record Terminated(IActorRef ActorRef, bool ExistenceConfirmed, bool AddressTerminated) : IAutoReceivedMessage;

/// <summary>Asks any actor for its reference; it answers <see cref="ActorIdentity"/>.</summary>
public sealed record Identify(object? MessageId) : IAutoReceivedMessage;

/// <summary>The answer to <see cref="Identify"/>; Subject is null when no actor lives at the path.</summary>
public sealed record ActorIdentity(object? MessageId, IActorRef? Subject);

/// <summary>Sent to an actor after its receive timeout passed with no message.</summary>
public sealed class ReceiveTimeout
{
    public static readonly ReceiveTimeout Instance = new();
    private ReceiveTimeout() { }
    public override string ToString() => "ReceiveTimeout";
}

/// <summary>Replies that carry success or failure, as used by Ask and PipeTo.</summary>
public static class Status
{
    public sealed record Success(object? Status);
    public sealed record Failure(Exception Cause);
}

/// <summary>A message nobody handled; published on the event stream.</summary>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);
