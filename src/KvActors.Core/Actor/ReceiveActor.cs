namespace KvActors.Actor;

/// <summary>
/// An actor that declares its handlers in its constructor: <c>Receive&lt;T&gt;(handler)</c>, tried
/// in the order declared. <see cref="Become(Action)"/> swaps in a new set of handlers.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private HandlerSet _handlers = new();
    private HandlerSet? _building;

    protected ReceiveActor() => _building = _handlers;

    protected internal sealed override bool Receive(object message) => _handlers.TryHandle(message);

    protected void Receive<T>(Action<T> handler) => Building.Add(new SyncHandler<T>(handler, null));

    protected void Receive<T>(Predicate<T> shouldHandle, Action<T> handler) => Building.Add(new SyncHandler<T>(handler, shouldHandle));

    /// <summary>A handler that returns false lets the next handler try.</summary>
    protected void Receive<T>(Func<T, bool> handler) => Building.Add(new FuncHandler<T>(handler));

    /// <summary>
    /// An async handler: the actor takes no other message until the task completes. Code after
    /// an await runs inside the actor (Self, Sender and Context are valid there).
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null) =>
        Building.Add(new AsyncHandler<T>(handler, shouldHandle, this));

    protected void ReceiveAny(Action<object> handler) => Building.Add(new SyncHandler<object>(handler, null));

    /// <summary>Replaces the handlers with the ones <paramref name="configure"/> declares.</summary>
    protected void Become(Action configure) => Context.Become(BuildBehavior(configure));

    /// <summary>Pushes the handlers <paramref name="configure"/> declares; UnbecomeStacked pops them.</summary>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(BuildBehavior(configure));

    protected void UnbecomeStacked() => Context.UnbecomeStacked();

    private Receive BuildBehavior(Action configure)
    {
        var set = new HandlerSet();
        var previous = _building;
        _building = set;
        try { configure(); }
        finally { _building = previous; }
        return set.TryHandle;
    }

    private HandlerSet Building => _building
        ?? throw new InvalidOperationException("Receive<T> can only be called in the constructor or inside Become(...).");

    internal void FinishConstruction() => _building = null;

    private sealed class HandlerSet
    {
        private Handler[] _items = [];

        public void Add(Handler handler)
        {
            var items = new Handler[_items.Length + 1];
            _items.CopyTo(items, 0);
            items[^1] = handler;
            _items = items;
        }

        public bool TryHandle(object message)
        {
            foreach (var h in _items)
                if (h.TryHandle(message)) return true;
            return false;
        }
    }

    private abstract class Handler
    {
        public abstract bool TryHandle(object message);
    }

    private sealed class SyncHandler<T>(Action<T> action, Predicate<T>? predicate) : Handler
    {
        public override bool TryHandle(object message)
        {
            if (message is not T typed || (predicate is not null && !predicate(typed))) return false;
            action(typed);
            return true;
        }
    }

    private sealed class FuncHandler<T>(Func<T, bool> func) : Handler
    {
        public override bool TryHandle(object message) => message is T typed && func(typed);
    }

    private sealed class AsyncHandler<T>(Func<T, Task> func, Predicate<T>? predicate, ActorBase owner) : Handler
    {
        public override bool TryHandle(object message)
        {
            if (message is not T typed || (predicate is not null && !predicate(typed))) return false;
            Internal.ActorCell.RunAsyncHandler(owner, () => func(typed));
            return true;
        }
    }
}
