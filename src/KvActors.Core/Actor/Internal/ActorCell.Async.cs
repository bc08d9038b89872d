namespace KvActors.Actor.Internal;

/// <summary>
/// ReceiveAsync: while a handler's task runs, the mailbox holds user messages back (system
/// messages still flow, so the actor can be stopped). Continuations after an await are posted
/// back as system messages and run inside the actor with the original Sender, so Self, Sender
/// and Context stay valid across awaits. A faulted task fails the actor like a throw would.
/// </summary>
public sealed partial class ActorCell
{
    private ActorSynchronizationContext? _syncContext;

    internal static void RunAsyncHandler(ActorBase owner, Func<Task> handler)
    {
        var cell = _current ?? throw new InvalidOperationException("An async handler must run inside its actor.");
        cell.RunTask(handler);
    }

    private void RunTask(Func<Task> handler)
    {
        _asyncEnvelope = _currentEnvelope;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_syncContext ??= new ActorSynchronizationContext(this));
        Task task;
        try
        {
            task = handler();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult(); // rethrows a synchronous failure into normal supervision
            return;
        }
        Mailbox.BeginAwait();
        task.ContinueWith(static (t, state) => ((ActorCell)state!).Mailbox.SystemEnqueue(new AsyncHandlerCompleted(t)),
            this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnAsyncHandlerCompleted(Task task)
    {
        Mailbox.EndAwait();
        _asyncEnvelope = default;
        if (task.IsFaulted) HandleInvokeFailure(task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception);
        else if (task.IsCanceled) HandleInvokeFailure(new TaskCanceledException(task));
    }

    private void RunContinuationInside(RunContinuation c)
    {
        if (_state >= CellState.Terminating) return; // the actor stopped while awaiting: drop the rest of the handler
        var previousContext = SynchronizationContext.Current;
        _currentEnvelope = _asyncEnvelope; // the handler's message and sender, as before the await
        SynchronizationContext.SetSynchronizationContext(_syncContext);
        try
        {
            c.Callback(c.State);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previousContext);
            _currentEnvelope = default;
        }
    }

    /// <summary>Posts await continuations back into the actor's mailbox.</summary>
    private sealed class ActorSynchronizationContext(ActorCell cell) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) =>
            cell.Mailbox.SystemEnqueue(new RunContinuation(d, state, cell._asyncEnvelope.Sender));

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new NotSupportedException("Synchronous Send into an actor would deadlock it; use Post.");

        public override SynchronizationContext CreateCopy() => this;
    }

    private Dispatch.Envelope _asyncEnvelope;
}
