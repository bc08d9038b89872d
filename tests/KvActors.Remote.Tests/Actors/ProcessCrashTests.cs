using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Remote.Tests.Actors;

/// <summary>A real process crash (SIGKILL), not a simulated one, seen through remote DeathWatch.</summary>
public sealed class ProcessCrashTests(ITestOutputHelper output) : RemoteTestKit(output)
{
    [Fact]
    public void DeathWatch_notices_a_SIGKILLed_process()
    {
        using var host = TestHostProcess.Start("KvActors.Remote.TestHost");
        var address = host.ExpectLine("READY ")["READY ".Length..];
        var echo = Sys.Provider.ResolveActorRef($"{address}/user/echo");
        echo.Tell("alive?", TestActor);
        ExpectMsg("alive?", TimeSpan.FromSeconds(10));
        Watch(echo);

        host.Kill();

        var terminated = ExpectTerminated(echo, TimeSpan.FromSeconds(15));
        terminated.AddressTerminated.Should().BeTrue("nobody was left to send a death notice: the failure detector decided");
    }
}
