using KvActors.Actor.Internal;
using Microsoft.Extensions.Logging;

namespace KvActors.Actor;

/// <summary>
/// The base of every actor. Instances are made by the runtime from <see cref="Props"/>, one per
/// (re)start, and process one message at a time.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = ActorCell.Current is { IsCreatingActor: true } cell
            ? cell
            : throw new ActorInitializationException(null,
                "An actor can only be created by the runtime: use ActorOf(Props.Create<T>()), not 'new'.", null);
    }

    protected IActorContext Context => _cell;
    protected IActorRef Self => _cell.Self;
    protected IActorRef? Sender => _cell.Sender;
    protected ILogger Log => _cell.Log;

    /// <summary>Handles one message; returns false when it does not handle it.</summary>
    protected internal abstract bool Receive(object message);

    /// <summary>Called for a message no behaviour handled: published as <see cref="UnhandledMessage"/>.</summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated t) throw new DeathPactException(t.ActorRef);
        _cell.System.EventStream.Publish(new UnhandledMessage(message, Sender, Self));
    }

    internal void UnhandledInternal(object message) => Unhandled(message);

    /// <summary>The strategy for this actor's children; by default restart on any exception.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() => Actor.SupervisorStrategy.DefaultStrategy;

    internal SupervisorStrategy SupervisorStrategyInternal => SupervisorStrategy();

    protected virtual void PreStart() { }
    protected virtual void PostStop() { }

    /// <summary>Before a restart, on the failed instance: by default stops every child and runs PostStop.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.GetChildren())
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }
        PostStop();
    }

    /// <summary>After a restart, on the fresh instance: by default runs PreStart.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    internal void AroundPreStart() => PreStart();
    internal void AroundPostStop() => PostStop();
    internal void AroundPreRestart(Exception reason, object? message) => PreRestart(reason, message);
    internal void AroundPostRestart(Exception reason) => PostRestart(reason);
}
