namespace KvActors.Actor;

public class ActorException : Exception
{
    public ActorException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Thrown by an actor that received <see cref="Kill"/>.</summary>
public sealed class ActorKilledException : ActorException
{
    public ActorKilledException(string message) : base(message) { }
}

/// <summary>The actor's constructor or PreStart failed; by default the supervisor stops it.</summary>
public sealed class ActorInitializationException : ActorException
{
    public ActorInitializationException(IActorRef? actor, string message, Exception? inner) : base(message, inner) => Actor = actor;
    public IActorRef? Actor { get; }
}

/// <summary>An actor did not handle a <see cref="Terminated"/> for an actor it watched.</summary>
public sealed class DeathPactException : ActorException
{
    public DeathPactException(IActorRef dead) : base($"Monitored actor [{dead.Path}] terminated and the watcher did not handle Terminated.") => DeadActor = dead;
    public IActorRef DeadActor { get; }
}

public sealed class InvalidActorNameException : ActorException
{
    public InvalidActorNameException(string message) : base(message) { }
}

/// <summary>An Ask got no answer in time; names the target and the timeout.</summary>
public sealed class AskTimeoutException : TimeoutException
{
    public AskTimeoutException(string message) : base(message) { }
}

/// <summary>A failure was escalated past a supervisor; carries the original cause.</summary>
public sealed class PostRestartException : ActorException
{
    public PostRestartException(IActorRef actor, Exception cause, Exception original)
        : base($"Exception in PostRestart of [{actor.Path}]", cause) => Original = original;
    public Exception Original { get; }
}
