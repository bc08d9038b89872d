using Akka.Actor;
using Akka.Configuration;
using KvActors.Store.Ring;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Ring;

/// <summary>The node's route to the acting RingManager: the proxy before any ring, the publisher after, the proxy again once the publisher stops.</summary>
public sealed class ManagerRouteTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString(KvActors.TestKit.TestKitSettings.AkkaTestConfig), "route", output)
{
    [Fact]
    public void Reports_go_to_the_proxy_then_to_the_manager_that_published_and_back_to_the_proxy_when_it_stops()
    {
        var proxy = CreateTestProbe();
        var route = Sys.ActorOf(ManagerRoute.Props(proxy.Ref));
        route.Tell("before any ring", TestActor);
        proxy.ExpectMsg("before any ring");
        proxy.LastSender.Should().Be(TestActor, "the sender is kept");

        var deputy = CreateTestProbe();
        Sys.EventStream.Publish(new ActingManager(deputy.Ref));
        AwaitAssert(() =>
        {
            route.Tell("report", TestActor);
            deputy.ExpectMsg("report", TimeSpan.FromMilliseconds(100));
        });

        Sys.Stop(deputy.Ref);
        AwaitAssert(() =>
        {
            route.Tell("after the deputy stopped", TestActor);
            proxy.FishForMessage(m => Equals(m, "after the deputy stopped"), TimeSpan.FromMilliseconds(100));
        });
    }
}
