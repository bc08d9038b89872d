namespace KvActors.Actor.Internal;

/// <summary>The actors at the top of the tree: "/" and its children "/user" and "/system".</summary>
internal sealed class GuardianActor : ActorBase
{
    private readonly SupervisorStrategy _strategy;

    public GuardianActor(SupervisorStrategy strategy) => _strategy = strategy;

    protected internal override bool Receive(object message) => false;

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    // A guardian keeps its children across its own restart: they are the whole application.
    protected override void PreRestart(Exception reason, object? message) { }
}

/// <summary>
/// The parent of the root guardian, outside the tree: it stops the root if the root fails and
/// completes the system's termination when the root has stopped.
/// </summary>
internal sealed class RootParentRef(ActorPath path, Action onRootTerminated) : MinimalActorRef
{
    private int _done;

    public override ActorPath Path { get; } = path;

    public override void Tell(object message, IActorRef? sender) { }

    public override void SendSystemMessage(SystemMessage message)
    {
        switch (message)
        {
            case Failed f:
                ((InternalActorRef)f.Child).Stop();
                break;
            case DeathWatchNotification:
                if (Interlocked.Exchange(ref _done, 1) == 0) onRootTerminated();
                break;
        }
    }
}
