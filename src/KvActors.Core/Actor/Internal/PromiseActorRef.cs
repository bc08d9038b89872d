using KvActors.Scheduling;

namespace KvActors.Actor.Internal;

/// <summary>
/// The temporary reference an Ask sends as the sender: the first reply completes the task.
/// Its /temp path is made (and registered for lookup by path) only if someone asks for it,
/// for example remoting serializing it, so a local Ask costs no registry traffic.
/// </summary>
internal sealed class PromiseActorRef<T> : MinimalActorRef
{
    private readonly TaskCompletionSource<T> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorSystem _system;
    private ActorPath? _path;
    private ICancelable? _timeout;
    private CancellationTokenRegistration _cancellation;

    public PromiseActorRef(ActorSystem system) => _system = system;

    public Task<T> Task => _promise.Task;

    internal override ActorSystem? System => _system;

    public override ActorPath Path
    {
        get
        {
            if (_path is not null) return _path;
            lock (this)
            {
                if (_path is null)
                {
                    _path = _system.Provider.TempPath();
                    if (!_promise.Task.IsCompleted) _system.Provider.RegisterTempActor(this);
                }
                return _path;
            }
        }
    }

    public override bool IsTerminated => _promise.Task.IsCompleted;

    public void Start(IActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            _timeout = _system.Scheduler.ScheduleOnce(timeout, static s =>
            {
                var (promise, target, message, timeout) = ((PromiseActorRef<T>, IActorRef, object, TimeSpan))s!;
                promise.Fail(new AskTimeoutException(
                    $"Ask timed out on [{target.Path}] after [{(long)timeout.TotalMilliseconds} ms]; message of type [{message.GetType().FullName}] got no reply."));
            }, (this, target, message, timeout));
        }
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.Register(static s => ((PromiseActorRef<T>)s!).Cancel(), this);
        target.Tell(message, this);
    }

    public override void Tell(object message, IActorRef? sender)
    {
        switch (message)
        {
            case T reply when _promise.TrySetResult(reply): Done(); break;
            case Status.Failure failure: Fail(failure.Cause); break;
            case T: break; // a second reply: the first one won
            default:
                Fail(new InvalidCastException($"Ask expected a reply of type [{typeof(T).FullName}] but got [{message.GetType().FullName}]."));
                break;
        }
    }

    private void Fail(Exception cause)
    {
        if (_promise.TrySetException(cause)) Done();
    }

    private void Cancel()
    {
        if (_promise.TrySetCanceled()) Done();
    }

    private void Done()
    {
        _timeout?.Cancel();
        _cancellation.Dispose();
        if (_path is not null) _system.Provider.UnregisterTempActor(_path);
    }
}
