namespace KvActors.Actor.Internal;

/// <summary>
/// An actor's children by name, with their restart statistics. Names stay taken until the
/// parent has processed the child's termination, as in Akka. Guarded by its own lock because
/// top-level actors are created from any thread.
/// </summary>
internal sealed class ChildrenContainer
{
    private readonly Dictionary<string, ChildEntry> _byName = new(StringComparer.Ordinal);
    private HashSet<InternalActorRef>? _stopping;

    public sealed class ChildEntry(InternalActorRef child)
    {
        public InternalActorRef Child { get; } = child;
        public ChildRestartStats Stats { get; } = new();
    }

    /// <summary>Set while the parent waits for its children to stop before stopping or restarting itself.</summary>
    public WaitReason Waiting { get; set; }

    public Exception? RecreateCause { get; set; }

    public enum WaitReason : byte { None, Termination, Recreation }

    public int Count { get { lock (this) return _byName.Count; } }

    private bool _closed;

    /// <summary>Adds a child; false when the name is taken; throws once the parent is stopping.</summary>
    public bool TryAdd(string name, InternalActorRef child)
    {
        lock (this)
        {
            if (_closed) throw new InvalidOperationException($"Cannot create child '{name}': its parent is stopping.");
            return _byName.TryAdd(name, new ChildEntry(child));
        }
    }

    /// <summary>No more children may be added (the parent is stopping); returns the current ones.</summary>
    public List<ChildEntry> Close()
    {
        lock (this)
        {
            _closed = true;
            return [.. _byName.Values];
        }
    }

    public ChildEntry? Get(string name)
    {
        lock (this) return _byName.GetValueOrDefault(name);
    }

    public ChildEntry? GetByRef(IActorRef child)
    {
        lock (this)
            return _byName.TryGetValue(child.Path.Name, out var e) && e.Child.Path.Uid == child.Path.Uid ? e : null;
    }

    /// <summary>Removes a stopped child; true when it was ours.</summary>
    public bool Remove(IActorRef child)
    {
        lock (this)
        {
            if (!_byName.TryGetValue(child.Path.Name, out var e) || e.Child.Path.Uid != child.Path.Uid) return false;
            _byName.Remove(child.Path.Name);
            _stopping?.Remove(e.Child);
            return true;
        }
    }

    public void MarkStopping(InternalActorRef child)
    {
        lock (this) (_stopping ??= new HashSet<InternalActorRef>()).Add(child);
    }

    /// <summary>True while some child was asked to stop and has not yet been removed.</summary>
    public bool HasStopping
    {
        get { lock (this) return _stopping is { Count: > 0 }; }
    }

    public bool IsStopping(InternalActorRef child)
    {
        lock (this) return _stopping?.Contains(child) == true;
    }

    public List<ChildEntry> Snapshot()
    {
        lock (this) return [.. _byName.Values];
    }
}
