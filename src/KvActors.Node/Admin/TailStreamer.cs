using Akka.Actor;

namespace KvActors.Node.Admin;

/// <summary>
/// One `kv cluster tail` subscription: forwards cluster events to the subscriber until the
/// subscriber stops or its process goes away (DeathWatch), then unsubscribes and stops.
/// </summary>
internal sealed class TailStreamer : ReceiveActor
{
    private readonly IActorRef _subscriber;
    private readonly IClusterAdmin _cluster;
    private IDisposable? _subscription;

    public TailStreamer(IActorRef subscriber, IClusterAdmin cluster)
    {
        _subscriber = subscriber;
        _cluster = cluster;
        // Events arrive on the cluster's threads; they come through the mailbox to keep order and the actor single-threaded.
        Receive<ClusterEventView>(e => _subscriber.Tell(AdminMessages.Event(e), Self));
        Receive<Terminated>(t => { if (t.ActorRef.Equals(_subscriber)) Context.Stop(Self); });
    }

    protected override void PreStart()
    {
        Context.Watch(_subscriber);
        _subscriber.Tell(AdminMessages.Accepted(), Self);
        var self = Self;
        _subscription = _cluster.SubscribeEvents(e => self.Tell(e, ActorRefs.NoSender));
    }

    protected override void PostStop() => _subscription?.Dispose();
}
