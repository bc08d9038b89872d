using KvActors.Actor;
using KvActors.Remote.FaultInjection;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Remote.Tests.Actors;

public sealed class FaultInjectionTests(ITestOutputHelper output) : RemoteTestKit(output)
{
    [Fact]
    public void Blackhole_drops_traffic_and_PassThrough_restores_it()
    {
        var b = StartSystem("B");
        var probeOnB = new TestProbe(b);
        var target = Sys.Provider.ResolveActorRef(RemotePath(b, probeOnB.Ref));
        target.Tell("before", TestActor);
        probeOnB.ExpectMsg("before");

        Remote(Sys).Faults.Blackhole(AddressOf(b), FaultDirection.Send);
        target.Tell("lost", TestActor);
        probeOnB.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Remote(Sys).Faults.PassThrough(AddressOf(b));
        target.Tell("after", TestActor);
        probeOnB.ExpectMsg("after");
    }

    [Fact]
    public void Blackhole_on_receive_drops_what_the_peer_sends()
    {
        var b = StartSystem("B");
        var echo = b.ActorOf(Props.Create<EchoActor>(), "echo");
        var remoteEcho = Sys.Provider.ResolveActorRef(RemotePath(b, echo));
        remoteEcho.Tell("one", TestActor);
        ExpectMsg("one");

        Remote(Sys).Faults.Blackhole(AddressOf(b), FaultDirection.Receive);
        remoteEcho.Tell("two", TestActor); // reaches B, but B's reply is dropped on arrival
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Delay_holds_messages_back_and_keeps_their_order()
    {
        var b = StartSystem("B");
        var probeOnB = new TestProbe(b);
        var target = Sys.Provider.ResolveActorRef(RemotePath(b, probeOnB.Ref));
        target.Tell(0, TestActor);
        probeOnB.ExpectMsg(0);

        Remote(Sys).Faults.Delay(AddressOf(b), TimeSpan.FromMilliseconds(300));
        var sent = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i <= 50; i++) target.Tell(i, TestActor);
        probeOnB.ExpectMsg(1);
        sent.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290), "the first message waited for the delay");
        for (var i = 2; i <= 50; i++) probeOnB.ExpectMsg(i);
    }
}
