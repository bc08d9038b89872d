using KvActors.Node.Hosting;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using KvActors.Node.Startup;
using KvActors.Store.Configuration;
using KvActors.Store.Ring;
using KvActors.Resp.Cluster;
using KvActors.Resp.Server;

// kvnode: parse flags and config first, so any mistake there is one sentence and exit code 2;
// then run the node in the generic host until the actor system terminates (exit code 0).
InlineSocketCompletions.Enable(); // before any socket exists
NodeSettings settings;
RingSettings ring;
LayeredConfig config;
RespSettings resp;
try
{
    var arguments = NodeCommandLine.Parse(args);
    if (arguments is null) return 0; // --help or --version
    config = NodeConfig.Load(arguments);
    settings = NodeSettings.From(config);
    StorageConfig.From(new SettingReader(config)); // checked now; the store opens it
    ring = RingSettings.From(new SettingReader(config));
    resp = RespSettings.From(new SettingReader(config));
}
catch (Exception e) when (e is UsageException or ConfigException)
{
    return Fail(e.Message);
}

// The RESP listener is bound before the node joins, so its port can be announced as a cluster role.
RespServer? respServer = null;
if (resp.Enabled)
{
    try
    {
        respServer = await RespHost.BindAsync(resp).ConfigureAwait(false);
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        return Fail($"could not listen for Redis clients on {resp.Host}:{resp.Port} ({NodeHost.Innermost(e).Message.TrimEnd('.')}): free the port or set --resp-port.");
    }
    settings = settings with { Roles = [.. settings.Roles, RespRole.Of(respServer.EndPoint.Port)] };
}

using var host = NodeHost.Build(settings, ring, config, respServer is null ? null : (respServer, resp));
try
{
    await host.StartAsync().ConfigureAwait(false);
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    var cause = NodeHost.Innermost(e);
    Console.Error.WriteLine(cause is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
        ? $"kvnode: could not listen on {settings.Host}:{settings.Port}: another process holds that port; stop it or choose another --port."
        : $"kvnode: could not start the node: {KvConfig.Sentence(cause.Message)}");
    // A half-started actor system may hold threads that would keep the process alive.
    Environment.Exit(2);
}
await host.WaitForShutdownAsync().ConfigureAwait(false);
return NodeExit.Code(host.Services.GetRequiredService<ActorSystem>());

static int Fail(string message)
{
    Console.Error.WriteLine($"kvnode: {KvConfig.Sentence(message)}");
    return 2;
}
