using System.Collections.Concurrent;
using KvActors.Actor;

namespace KvActors.Event;

/// <summary>
/// The system's publish/subscribe bus for events such as dead letters and cluster events. A
/// subscription to a type also receives every subtype; a subscriber gets each event once even
/// when several of its subscriptions match. Subscribers that stop are removed automatically.
/// </summary>
public sealed class EventStream
{
    private readonly object _gate = new();
    private readonly List<(Type Channel, IActorRef Subscriber)> _subscriptions = [];
    private readonly ConcurrentDictionary<Type, IActorRef[]> _byEventType = new();
    private IActorRef? _unsubscriber;

    /// <returns>false when the subscriber already had this subscription.</returns>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        bool isNewSubscriber;
        lock (_gate)
        {
            if (_subscriptions.Contains((channel, subscriber))) return false;
            isNewSubscriber = !_subscriptions.Exists(s => s.Subscriber.Equals(subscriber));
            _subscriptions.Add((channel, subscriber));
            _byEventType.Clear();
        }
        if (isNewSubscriber) _unsubscriber?.Tell(new EventStreamUnsubscriber.Register(subscriber), null);
        return true;
    }

    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        lock (_gate)
        {
            if (!_subscriptions.Remove((channel, subscriber))) return false;
            _byEventType.Clear();
            return true;
        }
    }

    /// <summary>Removes every subscription of the subscriber.</summary>
    public void Unsubscribe(IActorRef subscriber)
    {
        lock (_gate)
        {
            if (_subscriptions.RemoveAll(s => s.Subscriber.Equals(subscriber)) > 0) _byEventType.Clear();
        }
    }

    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = @event.GetType();
        if (!_byEventType.TryGetValue(type, out var subscribers))
        {
            // Computed and cached under the lock that Subscribe/Unsubscribe clear the cache under:
            // with GetOrAdd a list computed before a Subscribe could be stored after its Clear,
            // and the new subscriber would miss that event type until the next change.
            lock (_gate)
            {
                subscribers = _subscriptions.Where(s => s.Channel.IsAssignableFrom(type)).Select(s => s.Subscriber).Distinct().ToArray();
                _byEventType[type] = subscribers;
            }
        }
        foreach (var s in subscribers) s.Tell(@event, null);
    }

    /// <summary>Starts removing subscribers when they stop; called once the system guardian runs.</summary>
    internal void StartUnsubscriber(IActorRef unsubscriber)
    {
        List<IActorRef> existing;
        lock (_gate)
        {
            _unsubscriber = unsubscriber;
            existing = _subscriptions.Select(s => s.Subscriber).Distinct().ToList();
        }
        foreach (var s in existing) unsubscriber.Tell(new EventStreamUnsubscriber.Register(s), null);
    }
}

/// <summary>Watches every subscriber and removes its subscriptions when it stops.</summary>
internal sealed class EventStreamUnsubscriber : ReceiveActor
{
    public sealed record Register(IActorRef Subscriber);

    public EventStreamUnsubscriber(EventStream stream)
    {
        Receive<Register>(r => Context.Watch(r.Subscriber));
        Receive<Terminated>(t => stream.Unsubscribe(t.ActorRef));
    }
}
