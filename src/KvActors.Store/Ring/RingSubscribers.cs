namespace KvActors.Store.Ring;

/// <summary>
/// Who asked a node's <see cref="RingKeeper"/> to be told of every ring it applies (clients following the ring), pure:
/// time is the <c>now</c> argument. A subscription lasts as long as the subscriber asked, capped at
/// <see cref="MaxLease"/>, and is renewed by subscribing again; one never renewed simply lapses, so the keeper needs no
/// death watch of remote clients. At most <see cref="Capacity"/> subscribers are kept: past that, the one due to lapse
/// first makes room (a client that loses its place falls back on polling until it renews).
/// </summary>
public sealed class RingSubscribers<T>(int capacity = RingSubscribers.DefaultCapacity) where T : notnull
{
    private readonly Dictionary<T, TimeSpan> _until = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The capacity must be positive.");

    public int Count => _until.Count;

    /// <summary>Adds or renews <paramref name="subscriber"/> for <paramref name="lease"/> (at most <see cref="RingSubscribers.MaxLease"/>).</summary>
    public void Subscribe(T subscriber, TimeSpan lease, TimeSpan now)
    {
        if (lease <= TimeSpan.Zero)
        {
            _until.Remove(subscriber);
            return;
        }
        var until = now + (lease < RingSubscribers.MaxLease ? lease : RingSubscribers.MaxLease);
        if (!_until.ContainsKey(subscriber))
        {
            Prune(now);
            if (_until.Count >= Capacity) _until.Remove(_until.MinBy(s => s.Value).Key);
        }
        _until[subscriber] = until;
    }

    public void Unsubscribe(T subscriber) => _until.Remove(subscriber);

    /// <summary>The subscribers whose lease has not lapsed at <paramref name="now"/> (lapsed ones are forgotten).</summary>
    public IReadOnlyList<T> Live(TimeSpan now)
    {
        Prune(now);
        return _until.Keys.ToList();
    }

    private void Prune(TimeSpan now)
    {
        List<T>? lapsed = null;
        foreach (var (subscriber, until) in _until)
            if (until <= now) (lapsed ??= []).Add(subscriber);
        if (lapsed is null) return;
        foreach (var subscriber in lapsed) _until.Remove(subscriber);
    }
}

/// <summary>Limits of <see cref="RingSubscribers{T}"/>.</summary>
public static class RingSubscribers
{
    /// <summary>Subscribers one keeper pushes rings to; a ring change costs one small message to each.</summary>
    public const int DefaultCapacity = 10_000;

    /// <summary>The longest lease a subscriber gets, whatever it asks: a client that vanished costs pushes this long at most.</summary>
    public static readonly TimeSpan MaxLease = TimeSpan.FromMinutes(5);
}
