using KvActors.Actor;
using KvActors.Hocon;
using KvActors.Remote;

// Starts a remote actor system named "Host" on a free loopback port with one echo actor at
// /user/echo, prints "READY <address>" and then lives until it is killed or stdin closes.
var config = Config.Parse("""
    kvactors.actor.provider = remote
    kvactors.remote.port = 0
    kvactors.log-dead-letters = off
    """);
using var system = ActorSystem.Create("Host", config);
system.ActorOf(Props.Create<Echo>(), "echo");
Console.WriteLine($"READY {((RemoteActorRefProvider)system.Provider).DefaultAddress}");
Console.Out.Flush();
await Console.In.ReadToEndAsync();
await system.Terminate();

internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(m => Sender?.Tell(m, Self));
}
