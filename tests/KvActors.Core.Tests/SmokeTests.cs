using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class SmokeTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender?.Tell(m, Self));
    }

    [Fact]
    public void Echo_replies_to_sender()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>(), "echo");
        echo.Tell("hello", TestActor);
        ExpectMsg("hello");
        LastSender.Should().Be(echo);
    }

    [Fact]
    public async Task Ask_gets_reply()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>());
        (await echo.Ask<int>(42, TimeSpan.FromSeconds(3))).Should().Be(42);
    }

    [Fact]
    public void Watch_gets_terminated()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>());
        Watch(echo);
        Sys.Stop(echo);
        ExpectTerminated(echo);
    }
}
