using Microsoft.Extensions.Logging;

namespace KvActors.Actor;

/// <summary>The function an actor's current behaviour is: true when it handled the message.</summary>
public delegate bool Receive(object message);

/// <summary>What an actor can see and do about itself while it processes a message.</summary>
public interface IActorContext
{
    IActorRef Self { get; }

    /// <summary>The sender of the message being processed (null when there is none).</summary>
    IActorRef? Sender { get; }

    IActorRef Parent { get; }
    Props Props { get; }
    ActorSystem System { get; }

    /// <summary>A logger whose category is the actor's class.</summary>
    ILogger Log { get; }

    IEnumerable<IActorRef> GetChildren();
    IActorRef? Child(string name);

    /// <summary>Creates a child. Names must be unique among live children and must not start with '$'.</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops a child or this actor itself; asynchronous.</summary>
    void Stop(IActorRef actor);

    /// <summary>Asks for exactly one <see cref="Terminated"/> when <paramref name="subject"/> stops.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Cancels a Watch; a Terminated not yet processed is dropped.</summary>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Replaces the current behaviour.</summary>
    void Become(Receive receive);

    /// <summary>Pushes a behaviour; <see cref="UnbecomeStacked"/> returns to the one below.</summary>
    void BecomeStacked(Receive receive);

    void UnbecomeStacked();

    /// <summary>Sends <see cref="ReceiveTimeout"/> after this long without a message; null turns it off.</summary>
    void SetReceiveTimeout(TimeSpan? timeout);

    TimeSpan? ReceiveTimeout { get; }
}
