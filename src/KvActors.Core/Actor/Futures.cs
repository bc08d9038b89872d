using KvActors.Actor.Internal;

namespace KvActors.Actor;

/// <summary>Request-reply from outside an actor (Ask) and feeding a task's result to an actor (PipeTo).</summary>
public static class Futures
{
    /// <summary>
    /// Sends <paramref name="message"/> with a temporary sender and completes with the first reply
    /// of type <typeparamref name="T"/>. A <see cref="Status.Failure"/> reply faults the task; no
    /// reply within <paramref name="timeout"/> (default: kvactors.actor.ask-timeout) faults it with
    /// <see cref="AskTimeoutException"/>.
    /// </summary>
    public static Task<T> Ask<T>(this ICanTell target, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (system, targetRef) = target switch
        {
            ActorSelection selection => (selection.Anchor.System, (IActorRef)selection.Anchor),
            InternalActorRef r => (r.System, r),
            _ => (null, null),
        };
        if (system is null || targetRef is null)
            return Task.FromException<T>(new ArgumentException($"Cannot Ask {target}: it belongs to no actor system that can hold the reply."));
        var promise = new PromiseActorRef<T>(system);
        var wait = timeout ?? system.Settings.AskTimeout;
        if (target is ActorSelection sel)
            promise.Start(new SelectionTarget(sel, targetRef), message, wait, cancellationToken);
        else
            promise.Start(targetRef, message, wait, cancellationToken);
        return promise.Task;
    }

    public static Task<object> Ask(this ICanTell target, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        target.Ask<object>(message, timeout, cancellationToken);

    /// <summary>Sends the task's result (or a Status.Failure with its exception) to <paramref name="recipient"/>.</summary>
    public static Task PipeTo<T>(this Task<T> task, ICanTell recipient, IActorRef? sender = null,
        Func<T, object>? success = null, Func<Exception, object>? failure = null) =>
        task.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) recipient.Tell(success is null ? t.Result! : success(t.Result), sender);
            else
            {
                var cause = t.IsCanceled ? new TaskCanceledException(t) : t.Exception!.InnerExceptions.Count == 1 ? t.Exception.InnerException! : t.Exception;
                recipient.Tell(failure is null ? new Status.Failure(cause) : failure(cause), sender);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Routes a promise's Tell through a selection while naming the selection's anchor in errors.</summary>
    private sealed class SelectionTarget(ActorSelection selection, IActorRef anchor) : MinimalActorRef
    {
        public override ActorPath Path => anchor.Path;
        public override void Tell(object message, IActorRef? sender) => selection.Tell(message, sender);
    }
}
