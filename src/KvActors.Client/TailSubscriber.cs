using Akka.Actor;
using KvActors.Store.Wire.Admin;

namespace KvActors.Client;

/// <summary>
/// The client-side end of `kv cluster tail`: subscribes at the node's admin actor with itself
/// as the sender, hands events to a callback, and reports when the node goes away.
/// </summary>
internal sealed class TailSubscriber : ReceiveActor
{
    private readonly IActorRef _admin;

    public TailSubscriber(IActorRef admin, Action<ClusterEventMessage> onEvent,
        TaskCompletionSource<AdminResult> subscribed, TaskCompletionSource nodeGone)
    {
        _admin = admin;
        Receive<AdminResult>(r => subscribed.TrySetResult(r));
        Receive<ClusterEventMessage>(onEvent);
        Receive<Terminated>(_ => nodeGone.TrySetResult());
    }

    protected override void PreStart()
    {
        // Watching the admin actor tells us when the node stops or becomes unreachable.
        Context.Watch(_admin);
        _admin.Tell(new ClusterTailRequest(), Self);
    }
}
