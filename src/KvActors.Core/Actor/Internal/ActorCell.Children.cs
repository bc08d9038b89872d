namespace KvActors.Actor.Internal;

public sealed partial class ActorCell
{
    private ChildrenContainer? _children;
    private long _nextChildNumber;

    private ChildrenContainer Children =>
        _children ?? Interlocked.CompareExchange(ref _children, new ChildrenContainer(), null) ?? _children;

    internal bool HasChildren => _children is { Count: > 0 };

    public IEnumerable<IActorRef> GetChildren() =>
        _children is null ? [] : _children.Snapshot().Where(e => !_children.IsStopping(e.Child)).Select(e => (IActorRef)e.Child);

    public IActorRef? Child(string name) => _children?.Get(name)?.Child;

    internal InternalActorRef? GetChildRef(string name) => _children?.Get(name)?.Child;

    public IActorRef ActorOf(Props props, string? name = null)
    {
        if (name is null) name = NextRandomName();
        else ActorNames.Validate(name);
        if (_state >= CellState.Terminating)
            throw new InvalidOperationException($"Cannot create child '{name}': {_self.Path} is stopping.");
        var path = new ChildActorPath(_self.Path, name, NewUid());
        var child = new LocalActorRef(_system, props, _self, path);
        if (!Children.TryAdd(name, child))
            throw new InvalidActorNameException($"Actor name [{name}] is not unique under {_self.Path}.");
        child.Cell.Start();
        return child;
    }

    private string NextRandomName() => "$" + ActorNames.Base64(Interlocked.Increment(ref _nextChildNumber));

    private static long NewUid()
    {
        long uid;
        do uid = Random.Shared.NextInt64(); while (uid == ActorPath.UndefinedUid);
        return uid;
    }

    public void Stop(IActorRef actor)
    {
        if (actor is not InternalActorRef target) return;
        if (!target.Equals(_self) && _children?.GetByRef(target) is not null) _children.MarkStopping(target);
        target.Stop();
    }

    private void SuspendChildren(IActorRef? except = null)
    {
        if (_children is null) return;
        foreach (var e in _children.Snapshot())
            if (!e.Child.Equals(except)) e.Child.SendSystemMessage(new Suspend());
    }

    private void ResumeChildren(Exception? causedByFailure)
    {
        if (_children is null) return;
        foreach (var e in _children.Snapshot()) e.Child.SendSystemMessage(new Resume(causedByFailure));
    }

    /// <summary>A child stopped: free its name, and finish our own stop or restart if we were waiting for it.</summary>
    private bool HandleChildTerminated(IActorRef child)
    {
        if (_children is null || !_children.Remove(child)) return false;
        switch (_children.Waiting)
        {
            case ChildrenContainer.WaitReason.Termination when _children.Count == 0:
                _children.Waiting = ChildrenContainer.WaitReason.None;
                FinishTerminate();
                break;
            // A restart waits only for the children being stopped (by PreRestart): children a
            // PreRestart override keeps stay, so waiting for zero children would never end.
            case ChildrenContainer.WaitReason.Recreation when !_children.HasStopping:
                _children.Waiting = ChildrenContainer.WaitReason.None;
                FinishRecreate(_children.RecreateCause!);
                break;
        }
        return true;
    }
}
