using KvActors.Actor;
using KvActors.Actor.Internal;
using KvActors.Event;
using Xunit.Abstractions;

namespace KvActors.Remote.Tests.Actors;

public sealed class RemoteMessagingTests(ITestOutputHelper output) : RemoteTestKit(output)
{
    [Fact]
    public void Tell_across_systems_keeps_the_sender()
    {
        var b = StartSystem("B");
        var echo = b.ActorOf(Props.Create<EchoActor>(), "echo");
        var remoteEcho = Sys.Provider.ResolveActorRef(RemotePath(b, echo));
        remoteEcho.Should().BeOfType<RemoteActorRef>();

        remoteEcho.Tell("hello", TestActor);
        ExpectMsg("hello");
        LastSender!.Path.Address.Should().Be(AddressOf(b), "the reply comes from the echo actor on B");
        LastSender.Path.Name.Should().Be("echo");
    }

    [Fact]
    public async Task Ask_across_systems()
    {
        var b = StartSystem("B");
        var echo = b.ActorOf(Props.Create<EchoActor>(), "echo");
        var remoteEcho = Sys.Provider.ResolveActorRef(RemotePath(b, echo));
        (await remoteEcho.Ask<int>(42, TimeSpan.FromSeconds(5))).Should().Be(42);
        (await remoteEcho.Ask<string>("x", TimeSpan.FromSeconds(5))).Should().Be("x");
    }

    [Fact]
    public void Sender_round_trip_lets_the_remote_side_reply_to_a_local_actor()
    {
        var b = StartSystem("B");
        var probeOnB = new KvActors.TestKit.TestProbe(b);
        var remoteProbe = Sys.Provider.ResolveActorRef(RemotePath(b, probeOnB.Ref));
        remoteProbe.Tell("ping", TestActor);
        probeOnB.ExpectMsg("ping");
        probeOnB.LastSender!.Should().BeOfType<RemoteActorRef>();
        probeOnB.Reply("pong");
        ExpectMsg("pong");
    }

    [Fact]
    public void Messages_from_one_sender_to_one_receiver_arrive_in_order()
    {
        var b = StartSystem("B");
        var probeOnB = new KvActors.TestKit.TestProbe(b);
        var target = Sys.Provider.ResolveActorRef(RemotePath(b, probeOnB.Ref));
        for (var i = 0; i < 5_000; i++) target.Tell(i, TestActor);
        for (var i = 0; i < 5_000; i++) probeOnB.ExpectMsg(i);
    }

    [Fact]
    public async Task ActorSelection_and_Identify_work_across_systems()
    {
        var b = StartSystem("B");
        var echo = b.ActorOf(Props.Create<EchoActor>(), "echo");
        var selection = Sys.ActorSelection($"{AddressOf(b)}/user/echo");
        var resolved = await selection.ResolveOne(TimeSpan.FromSeconds(5));
        resolved.Path.Uid.Should().Be(echo.Path.Uid);
        selection.Tell("via selection", TestActor);
        ExpectMsg("via selection");

        var missing = Sys.ActorSelection($"{AddressOf(b)}/user/nobody-here");
        await FluentActions.Awaiting(() => missing.ResolveOne(TimeSpan.FromSeconds(5))).Should().ThrowAsync<ActorNotFoundException>();
    }

    [Fact]
    public void A_message_near_the_frame_limit_passes_and_one_over_it_is_dropped_with_a_clear_error()
    {
        var b = StartSystem("B");
        var probeOnB = new KvActors.TestKit.TestProbe(b);
        var target = Sys.Provider.ResolveActorRef(RemotePath(b, probeOnB.Ref));
        var limit = Remote(Sys).RemoteSettings.MaximumFrameSize;
        var big = new byte[limit - 1024];
        big[^1] = 7;
        target.Tell(big, TestActor);
        probeOnB.ExpectMsg<byte[]>(m => m.Length == big.Length && m[^1] == 7);

        var dropped = CreateTestProbe();
        Sys.EventStream.Subscribe(dropped.Ref, typeof(Dropped));
        target.Tell(new byte[limit + 1], TestActor);
        dropped.ExpectMsg<Dropped>(d => d.Reason.Contains("TooLarge"));
        ExpectLog(Microsoft.Extensions.Logging.LogLevel.Error, "maximum frame size");
        probeOnB.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_message_to_a_missing_remote_actor_becomes_a_dead_letter_there()
    {
        var b = StartSystem("B");
        var deadLetters = new KvActors.TestKit.TestProbe(b);
        b.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        Sys.Provider.ResolveActorRef($"{AddressOf(b)}/user/nobody").Tell("lost", TestActor);
        deadLetters.ExpectMsg<DeadLetter>(d => Equals(d.Message, "lost"));
    }

    [Fact]
    public void Local_paths_resolve_locally_also_under_the_network_address()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>(), "echo");
        var viaNetworkAddress = Sys.Provider.ResolveActorRef(RemotePath(Sys, echo));
        viaNetworkAddress.Should().BeOfType<LocalActorRef>().And.Be(echo);
    }
}
