using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace KvActors.Actor.Internal;

/// <summary>
/// Failure, restart and stop. A failing actor suspends itself and its children and reports
/// Failed to its parent; the parent's strategy answers Resume, Recreate or Terminate. A restart
/// keeps the mailbox; a stop waits for the children to stop first, then runs PostStop.
/// </summary>
public sealed partial class ActorCell
{
    private void HandleInvokeFailure(Exception cause)
    {
        if (_state >= CellState.Terminating)
        {
            _system.Log.LogError(cause, "{Path} failed while stopping: {Message}", _self.Path, cause.Message);
            return;
        }
        // Remembered for PreRestart: the Recreate that follows runs as a system message, when
        // the current envelope is long gone.
        _failedMessage = _currentEnvelope.Message;
        Mailbox.Suspend();
        SuspendChildren();
        _parent.SendSystemMessage(new Failed(_self, cause, _self.Path.Uid));
    }

    private object? _failedMessage;

    /// <summary>A child failed: ask our strategy what to do.</summary>
    private void HandleFailed(Failed f)
    {
        var entry = _children?.GetByRef(f.Child);
        if (entry is null || _children!.IsStopping(entry.Child)) return; // a stale report from a child already gone
        var strategy = _props.SupervisorStrategy ?? _actor?.SupervisorStrategyInternal ?? SupervisorStrategy.DefaultStrategy;
        var all = _children.Snapshot().Where(e => !_children.IsStopping(e.Child)).Select(e => ((IActorRef)e.Child, e.Stats)).ToList();
        if (!strategy.HandleFailure(this, f.Child, f.Cause, entry.Stats, all, Environment.TickCount64))
            ExceptionDispatchInfo.Throw(f.Cause); // Escalate: we fail with the child's own exception
    }

    private void FaultSuspend()
    {
        Mailbox.Suspend();
        SuspendChildren();
    }

    private void FaultResume(Exception? causedByFailure)
    {
        if (_actor is null && _state == CellState.Created)
        {
            // Resume after a failed creation makes no sense: try creating again.
            FaultRecreate(causedByFailure ?? new ActorInitializationException(_self, "resumed before creation", null));
            return;
        }
        _failedMessage = null;
        Mailbox.Resume();
        ResumeChildren(causedByFailure);
    }

    private void FaultRecreate(Exception cause)
    {
        if (_state >= CellState.Terminating) return;
        var failed = _actor;
        CancelTimersAndReceiveTimeout();
        if (failed is not null)
        {
            var previous = _current;
            _current = this;
            try { failed.AroundPreRestart(cause, _failedMessage); }
            catch (Exception e) { _system.Log.LogError(e, "{Path}: PreRestart failed: {Message}", _self.Path, e.Message); }
            finally { _current = previous; }
        }
        _actor = null;
        _failedMessage = null;
        UnstashAllForRestart();
        if (_children is not null && _children.HasStopping)
        {
            _children.Waiting = ChildrenContainer.WaitReason.Recreation;
            _children.RecreateCause = cause;
        }
        else
        {
            FinishRecreate(cause);
        }
    }

    private void FinishRecreate(Exception cause)
    {
        Mailbox.Resume();
        ResumeChildren(cause);
        try
        {
            var fresh = NewActorInstance();
            _state = CellState.Running;
            fresh.AroundPostRestart(cause);
        }
        catch (Exception e)
        {
            _actor = null;
            HandleInvokeFailure(new ActorInitializationException(_self, $"Exception while restarting {_self.Path}: {e.Message}", e));
        }
    }

    private void HandleTerminate()
    {
        if (_state >= CellState.Terminating) return;
        _state = CellState.Terminating;
        CancelTimersAndReceiveTimeout();
        UnwatchWatchedActors();
        Mailbox.Suspend(); // user messages stay queued and go to dead letters on close
        var children = _children?.Close();
        if (children is { Count: > 0 })
        {
            _children!.Waiting = ChildrenContainer.WaitReason.Termination;
            foreach (var c in children)
            {
                _children.MarkStopping(c.Child);
                c.Child.Stop();
            }
        }
        else
        {
            FinishTerminate();
        }
    }

    private void FinishTerminate()
    {
        var actor = _actor;
        try
        {
            if (actor is not null)
            {
                var previous = _current;
                _current = this;
                try { actor.AroundPostStop(); }
                finally { _current = previous; }
            }
        }
        catch (Exception e)
        {
            _system.Log.LogError(e, "{Path}: PostStop failed: {Message}", _self.Path, e.Message);
        }
        finally
        {
            _state = CellState.Terminated;
            _actor = null;
            _behaviors = null;
            foreach (var envelope in Mailbox.Close()) OnUndeliverable(envelope, overflow: false);
            DeadLetterStash();
            _parent.SendSystemMessage(new DeathWatchNotification(_self, existenceConfirmed: true, addressTerminated: false));
            TellWatchersWeDied();
        }
    }
}
