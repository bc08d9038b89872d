namespace KvActors.Actor.Internal;

/// <summary>
/// Lifecycle and supervision messages. They travel on a separate queue of the mailbox and are
/// processed before any user message, also while the actor is suspended.
/// </summary>
public abstract class SystemMessage
{
    /// <summary>Link for the mailbox's system queue; owned by the mailbox while queued.</summary>
    internal SystemMessage? Next;
}

/// <summary>Create the actor instance and run PreStart.</summary>
internal sealed class Create : SystemMessage;

/// <summary>Stop the actor: children first, then PostStop, then notify watchers.</summary>
internal sealed class Terminate : SystemMessage;

/// <summary>Throw away the failed instance and make a new one (supervisor said Restart).</summary>
internal sealed class Recreate(Exception cause) : SystemMessage
{
    public Exception Cause { get; } = cause;
}

/// <summary>Stop taking user messages until Resume (supervision in progress).</summary>
internal sealed class Suspend : SystemMessage;

/// <summary>Take user messages again; CausedByFailure is set when it answers a failure with Resume.</summary>
internal sealed class Resume(Exception? causedByFailure) : SystemMessage
{
    public Exception? CausedByFailure { get; } = causedByFailure;
}

/// <summary>A child reports a failure to its parent.</summary>
internal sealed class Failed(IActorRef child, Exception cause, long uid) : SystemMessage
{
    public IActorRef Child { get; } = child;
    public Exception Cause { get; } = cause;
    public long Uid { get; } = uid;
}

/// <summary>Watcher asks watchee to notify it on termination. Public so remoting can carry it.</summary>
public sealed class Watch(IActorRef watchee, IActorRef watcher) : SystemMessage
{
    public IActorRef Watchee { get; } = watchee;
    public IActorRef Watcher { get; } = watcher;
}

/// <summary>Watcher no longer wants the notification.</summary>
public sealed class Unwatch(IActorRef watchee, IActorRef watcher) : SystemMessage
{
    public IActorRef Watchee { get; } = watchee;
    public IActorRef Watcher { get; } = watcher;
}

/// <summary>The watchee stopped (or was never there). Turned into exactly one Terminated for the watcher.</summary>
public sealed class DeathWatchNotification(IActorRef actor, bool existenceConfirmed, bool addressTerminated) : SystemMessage
{
    public IActorRef Actor { get; } = actor;
    public bool ExistenceConfirmed { get; } = existenceConfirmed;
    public bool AddressTerminated { get; } = addressTerminated;
}

/// <summary>Runs an await continuation of a ReceiveAsync handler inside the actor.</summary>
internal sealed class RunContinuation(SendOrPostCallback callback, object? state, IActorRef? sender) : SystemMessage
{
    public SendOrPostCallback Callback { get; } = callback;
    public object? State { get; } = state;
    public IActorRef? Sender { get; } = sender;
}

/// <summary>The task of a ReceiveAsync handler finished: user messages may flow again.</summary>
internal sealed class AsyncHandlerCompleted(Task task) : SystemMessage
{
    public Task Task { get; } = task;
}

/// <summary>Remoting tells every local actor that a remote system is gone for good.</summary>
public sealed class AddressTerminatedNotice(Address address) : SystemMessage
{
    public Address Address { get; } = address;
}
