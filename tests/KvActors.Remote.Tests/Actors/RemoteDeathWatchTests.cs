using KvActors.Actor;
using KvActors.Event;
using KvActors.Remote.Transport;
using Xunit.Abstractions;

namespace KvActors.Remote.Tests.Actors;

public sealed class RemoteDeathWatchTests(ITestOutputHelper output) : RemoteTestKit(output)
{
    /// <summary>System B with an echo actor that TestActor watches; the watch is in place on return.</summary>
    private (ActorSystem B, IActorRef Echo, IActorRef Remote) WatchedRemoteEcho()
    {
        var b = StartSystem("B");
        var echo = b.ActorOf(Props.Create<EchoActor>(), "echo");
        var remote = Sys.Provider.ResolveActorRef(RemotePath(b, echo));
        Watch(remote);
        // The watch travels as a system message; a round trip after it proves it arrived.
        remote.Tell("ready?", TestActor);
        ExpectMsg("ready?");
        return (b, echo, remote);
    }

    [Fact]
    public void Watching_a_remote_actor_that_stops_gives_Terminated_once()
    {
        var (b, echo, remote) = WatchedRemoteEcho();
        b.Stop(echo);
        var t = ExpectTerminated(remote);
        t.AddressTerminated.Should().BeFalse();
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Watching_a_remote_actor_that_does_not_exist_gives_Terminated()
    {
        var b = StartSystem("B");
        var remote = Sys.Provider.ResolveActorRef($"{AddressOf(b)}/user/never-was");
        Watch(remote);
        ExpectTerminated(remote).ExistenceConfirmed.Should().BeFalse();
    }

    [Fact]
    public async Task Remote_system_shutdown_terminates_watched_actors()
    {
        var (b, _, remote) = WatchedRemoteEcho();
        await b.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        ExpectTerminated(remote, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Abrupt_connection_loss_is_detected_by_heartbeats()
    {
        var (b, _, remote) = WatchedRemoteEcho();
        CrashTransport(b); // B's actors live on, but nothing reaches them any more
        var t = ExpectTerminated(remote, TimeSpan.FromSeconds(10));
        t.AddressTerminated.Should().BeTrue();
    }

    [Fact]
    public void A_restarted_incarnation_on_the_same_port_is_a_new_system_and_the_old_one_is_quarantined()
    {
        var b1 = StartSystem("B");
        var port = AddressOf(b1).Port!.Value;
        var oldEcho = b1.ActorOf(Props.Create<EchoActor>(), "echo");
        var oldRemote = Sys.Provider.ResolveActorRef(RemotePath(b1, oldEcho));
        var watcher = CreateTestProbe();
        watcher.Watch(oldRemote);
        oldRemote.Tell("ready?", TestActor);
        ExpectMsg("ready?");
        var oldUid = Remote(b1).LocalUniqueAddress;

        CrashTransport(b1);
        var b2 = StartSystem("B", port);
        b2.ActorOf(Props.Create<EchoActor>(), "echo");

        // The same path (without uid) now reaches the new incarnation: reconnect with backoff.
        var byPath = Sys.Provider.ResolveActorRef($"{AddressOf(b2)}/user/echo");
        AwaitAssert(() =>
        {
            byPath.Tell("again", TestActor);
            ExpectMsg("again", TimeSpan.FromMilliseconds(300));
        }, TimeSpan.FromSeconds(10));
        watcher.ExpectTerminated(oldRemote, TimeSpan.FromSeconds(10));
        AwaitCondition(() => Remote(Sys).Transport.IsQuarantined(oldUid) || Remote(Sys).Transport.KnownUid(oldUid.Address) != oldUid.Uid);

        // A message for the old incarnation's actor (pinned by uid) never reaches the new one.
        var dropped = CreateTestProbe();
        b2.EventStream.Subscribe(dropped.Ref, typeof(DeadLetter));
        oldRemote.Tell("for the old one", TestActor);
        dropped.ExpectMsg<DeadLetter>(d => Equals(d.Message, "for the old one"));
    }

    [Fact]
    public void A_peer_with_the_wrong_secret_is_refused_and_messages_to_it_are_dropped()
    {
        var b = StartSystem("B", extraConfig: "kvactors.remote.secret = \"right\"");
        var echo = b.ActorOf(Props.Create<EchoActor>(), "echo");
        var dropped = CreateTestProbe();
        Sys.EventStream.Subscribe(dropped.Ref, typeof(AssociationEvent));
        var remote = Sys.Provider.ResolveActorRef(RemotePath(b, echo));
        remote.Tell("let me in", TestActor);
        dropped.FishForMessage<AssociationEvent>(e => e.Kind == AssociationEventKind.HandshakeFailed, TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void After_quarantining_an_old_incarnation_a_new_one_at_the_same_address_is_reached()
    {
        var b1 = StartSystem("B");
        var port = AddressOf(b1).Port!.Value;
        b1.ActorOf(Props.Create<EchoActor>(), "echo");
        var byPath = Sys.Provider.ResolveActorRef($"{AddressOf(b1)}/user/echo");
        byPath.Tell("one", TestActor);
        ExpectMsg("one");
        var old = Remote(b1).LocalUniqueAddress;
        CrashTransport(b1);

        // The new incarnation connects to us first (so we learn its uid), then we quarantine the old one.
        var b2 = StartSystem("B", port);
        var probeOnB2 = new KvActors.TestKit.TestProbe(b2);
        b2.Provider.ResolveActorRef(RemotePath(Sys, TestActor)).Tell("hello from the new one", probeOnB2.Ref);
        ExpectMsg("hello from the new one");
        Remote(Sys).Transport.Quarantine(old, "test");

        b2.ActorOf(Props.Create<EchoActor>(), "echo");
        AwaitAssert(() =>
        {
            byPath.Tell("two", TestActor);
            ExpectMsg("two", TimeSpan.FromMilliseconds(500));
        }, TimeSpan.FromSeconds(10));
    }
}
