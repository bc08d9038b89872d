namespace KvActors.Actor.Internal;

/// <summary>
/// DeathWatch: <c>Watching</c> is who we watch, <c>WatchedBy</c> who watches us. A notification
/// for a watched actor becomes one Terminated message queued behind the user messages already
/// in the mailbox; <c>TerminatedQueued</c> makes it exactly once and lets Unwatch cancel it.
/// </summary>
public sealed partial class ActorCell
{
    private DeathWatchState? _watch;

    private sealed class DeathWatchState
    {
        public readonly HashSet<IActorRef> Watching = [];
        public readonly HashSet<IActorRef> WatchedBy = [];
        public readonly HashSet<IActorRef> TerminatedQueued = [];
    }

    private DeathWatchState WatchState => _watch ??= new DeathWatchState();

    public IActorRef Watch(IActorRef subject)
    {
        if (subject is InternalActorRef target && !target.Equals(_self) && WatchState.Watching.Add(target))
            target.SendSystemMessage(new Watch(target, _self));
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        if (_watch is null || subject is not InternalActorRef target) return subject;
        _watch.TerminatedQueued.Remove(target);
        if (_watch.Watching.Remove(target)) target.SendSystemMessage(new Unwatch(target, _self));
        return subject;
    }

    /// <summary>Someone wants to know when we stop.</summary>
    private void HandleWatch(Watch w)
    {
        if (!w.Watchee.Equals(_self) || w.Watcher.Equals(_self)) return;
        if (_state == CellState.Terminated)
            ((InternalActorRef)w.Watcher).SendSystemMessage(new DeathWatchNotification(_self, existenceConfirmed: true, addressTerminated: false));
        else
            WatchState.WatchedBy.Add(w.Watcher);
    }

    private void HandleUnwatch(Unwatch u)
    {
        if (u.Watchee.Equals(_self)) _watch?.WatchedBy.Remove(u.Watcher);
    }

    private void HandleDeathWatchNotification(DeathWatchNotification n)
    {
        HandleChildTerminated(n.Actor);
        if (_watch is not null && RemoveWatched(n.Actor) is { } watched && _state < CellState.Terminating)
        {
            _watch.TerminatedQueued.Add(watched);
            _self.Tell(new Terminated(watched, n.ExistenceConfirmed, n.AddressTerminated), watched);
        }
    }

    /// <summary>
    /// The watched reference a death notice is about, removed from Watching. A notice names the
    /// actor with its uid; a reference resolved from a path without one still matches, and
    /// Terminated then carries the reference as the watcher knows it.
    /// </summary>
    private IActorRef? RemoveWatched(IActorRef actor)
    {
        if (_watch!.Watching.Remove(actor)) return actor;
        if (actor.Path.Uid == ActorPath.UndefinedUid) return null;
        var loose = _watch.Watching.FirstOrDefault(w => w.Path.Uid == ActorPath.UndefinedUid && w.Path.Equals(actor.Path));
        return loose is not null && _watch.Watching.Remove(loose) ? loose : null;
    }

    /// <summary>A whole remote system is gone: its watchers of us can never be told, its actors we watch are dead.</summary>
    private void HandleAddressTerminated(Address address)
    {
        if (_watch is null) return;
        _watch.WatchedBy.RemoveWhere(w => w.Path.Address.Equals(address));
        foreach (var watched in _watch.Watching.Where(w => w.Path.Address.Equals(address)).ToList())
            HandleDeathWatchNotification(new DeathWatchNotification(watched, existenceConfirmed: true, addressTerminated: true));
    }

    /// <summary>On stop: unwatch everyone we watch and tell everyone who watches us.</summary>
    private void TellWatchersWeDied()
    {
        if (_watch is null) return;
        foreach (var watcher in _watch.WatchedBy)
        {
            // The parent hears of our death through the child-termination path already.
            if (!watcher.Equals(_parent) && watcher is InternalActorRef w)
                w.SendSystemMessage(new DeathWatchNotification(_self, existenceConfirmed: true, addressTerminated: false));
        }
        _watch.WatchedBy.Clear();
    }

    private void UnwatchWatchedActors()
    {
        if (_watch is null) return;
        foreach (var watched in _watch.Watching)
            ((InternalActorRef)watched).SendSystemMessage(new Unwatch(watched, _self));
        _watch.Watching.Clear();
        _watch.TerminatedQueued.Clear();
    }
}
