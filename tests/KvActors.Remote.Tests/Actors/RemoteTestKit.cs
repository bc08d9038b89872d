using KvActors.Actor;
using KvActors.Hocon;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Remote.Tests.Actors;

/// <summary>
/// A test with remoting on: Sys (system "A") is remote on a free loopback port, and the test
/// can start more remote systems, each shut down when the test ends. Detector settings are
/// short so failures are noticed in a few seconds, with room for a loaded machine.
/// </summary>
public abstract class RemoteTestKit : TestKitBase
{
    public const string FastConfig = """
        kvactors.actor.provider = remote
        kvactors.remote.port = 0
        kvactors.remote.backoff.min = 50ms
        kvactors.remote.backoff.max = 200ms
        kvactors.remote.system-message-resend-interval = 100ms
        kvactors.remote.watch-failure-detector {
          heartbeat-interval = 100ms
          acceptable-heartbeat-pause = 2s
          expected-response-after = 200ms
          threshold = 8.0
        }
        """;

    private readonly List<ActorSystem> _others = [];

    protected RemoteTestKit(ITestOutputHelper output, string? extraConfig = null)
        : base(output, Config.Parse((extraConfig ?? "") + "\n" + FastConfig), "A") { }

    protected RemoteActorRefProvider Remote(ActorSystem system) => (RemoteActorRefProvider)system.Provider;

    protected Address AddressOf(ActorSystem system) => Remote(system).DefaultAddress;

    /// <summary>Starts another remote system; <paramref name="port"/> 0 = any free port.</summary>
    protected ActorSystem StartSystem(string name, int port = 0, string? extraConfig = null)
    {
        var config = Config.Parse($"{extraConfig}\n{FastConfig}\nkvactors.remote.port = {port}");
        var system = ActorSystem.Create(name, config, new ActorSystemSetup { LoggerFactory = Logs });
        lock (_others) _others.Add(system);
        return system;
    }

    /// <summary>Kills a system's network presence without stopping its actors: like a process crash seen from outside.</summary>
    protected static void CrashTransport(ActorSystem system) =>
        ((RemoteActorRefProvider)system.Provider).Transport.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));

    /// <summary>The remote path of an actor in <paramref name="system"/>, as another system names it.</summary>
    protected string RemotePath(ActorSystem system, IActorRef actor) => Remote(system).SerializedPath(actor);

    public override void Dispose()
    {
        List<ActorSystem> others;
        lock (_others) others = [.. _others];
        foreach (var s in others) s.Terminate().Wait(TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        base.Dispose();
    }
}

/// <summary>Replies to every message with the same message.</summary>
public sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(m => Sender?.Tell(m, Self));
}
