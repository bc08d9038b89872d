using Akka.Actor;
using Akka.Event;
using KvActors.Client;
using KvActors.Store.Wire.Admin;

namespace KvActors.Node.Admin;

/// <summary>
/// The node's operator endpoint at /system/admin (under /system so it outlives user actors
/// during shutdown and can still answer). It answers the admin protocol of KvActors.Client
/// from an <see cref="IClusterAdmin"/>; slow cluster operations are piped back, never awaited
/// inside the actor, so a pending leave does not hold up a `kv cluster show`. It follows the cluster events to know
/// what the current state cannot tell (<see cref="MemberHistory"/>: since when a member is unreachable, who was removed).
/// </summary>
public sealed class AdminActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IClusterAdmin _cluster;
    private readonly MemberHistory _history;
    private IDisposable? _events;

    public AdminActor(IClusterAdmin cluster, TimeSpan showRemovedFor)
    {
        _cluster = cluster;
        _history = new MemberHistory(showRemovedFor);
        Receive<ClusterEventView>(_history.Apply);
        Receive<AdminPing>(_ => Sender.Tell(new AdminPong { Node = cluster.GetStatus().Self }, Self));
        Receive<ClusterShowRequest>(_ => Sender.Tell(AdminMessages.Show(cluster.GetStatus(), _history, DateTimeOffset.UtcNow), Self));
        Receive<ClusterLeaveRequest>(r => Reply(r.Address, "leave", cluster.LeaveAsync));
        Receive<ClusterDownRequest>(r => Reply(r.Address, "down", cluster.DownAsync));
        Receive<ClusterJoinRequest>(r => Reply(r.Address, "join", cluster.JoinAsync));
        Receive<ClusterDownUnreachableRequest>(_ =>
        {
            _log.Info("Operator asked to down every unreachable member.");
            cluster.DownUnreachableAsync().PipeTo(Sender, Self,
                success: downed => AdminMessages.Accepted(downed),
                failure: e => AdminMessages.Refused($"Downing unreachable members failed: {e.Message}"));
        });
        Receive<ClusterTailRequest>(_ =>
        {
            var subscriber = Sender;
            if (!subscriber.IsNobody()) Context.ActorOf(Props.Create(() => new TailStreamer(subscriber, cluster)));
        });
    }

    protected override void PreStart()
    {
        var self = Self;
        // Events arrive on the listener's thread; through the mailbox the history stays single-threaded.
        _events = _cluster.SubscribeEvents(e => self.Tell(e, ActorRefs.NoSender));
    }

    protected override void PostStop() => _events?.Dispose();

    private void Reply(string address, string verb, Func<string, Task<string?>> act)
    {
        var replyTo = Sender;
        if (HostPort.TryParse(address, out var error) is null)
        {
            replyTo.Tell(AdminMessages.Refused(error!), Self);
            return;
        }
        _log.Info("Operator asked {0} of {1}.", verb, address);
        act(address.Trim()).PipeTo(replyTo, Self,
            success: AdminMessages.FromError,
            failure: e => AdminMessages.Refused($"The {verb} of {address} failed: {e.Message}"));
    }
}
