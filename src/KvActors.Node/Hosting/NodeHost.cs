using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using KvActors.Client;
using KvActors.Node.Admin;
using KvActors.Node.Startup;
using KvActors.Resp.Server;
using KvActors.Store.Configuration;
using KvActors.Store.Ring;
using KvActors.Store.Shards;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace KvActors.Node.Hosting;

/// <summary>
/// The generic host of a node: Akka.Hosting starts the actor system with our layered HOCON, and
/// Akka.Remote.Hosting / Akka.Cluster.Hosting set the endpoint, TLS and seeds from the checked
/// kvactors.* settings. SIGTERM and Ctrl+C stop the host, which runs the coordinated shutdown
/// (a graceful leave); a node that terminates on its own (left, downed) stops the host.
/// </summary>
public static class NodeHost
{
    public static IHost Build(NodeSettings settings, RingSettings ring, LayeredConfig config, (RespServer Server, RespSettings Settings)? resp = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.ClearProviders()
            .AddConsole(o => o.FormatterName = NodeConsoleFormatter.FormatterName)
            .AddConsoleFormatter<NodeConsoleFormatter, NodeConsoleFormatterOptions>(o => o.NodeName = settings.Name)
            .SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Information)
            .AddFilter("Microsoft", Microsoft.Extensions.Logging.LogLevel.Warning);
        // The coordinated shutdown (leave, exiting, removal) must not be cut short by the host.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(1));
        builder.Services.AddAkka(settings.SystemName, (akka, services) => Configure(akka, settings, ring, config, resp, services));
        return builder.Build();
    }

    private static void Configure(AkkaConfigurationBuilder akka, NodeSettings settings, RingSettings ring, LayeredConfig config,
        (RespServer Server, RespSettings Settings)? resp, IServiceProvider services)
    {
        var remote = new RemoteOptions { HostName = settings.Host, Port = settings.Port };
        if (settings.Certificate is { } certificate)
        {
            remote.EnableSsl = true;
            remote.Ssl = new SslOptions
            {
                X509Certificate = certificate.Certificate,
                SuppressValidation = false,
                RequireMutualAuthentication = true,
                ValidateCertificateHostname = false,
                CustomValidator = certificate.Validator,
            };
        }
        akka.AddHocon(config.Config, HoconAddMode.Prepend);
        if (settings.Certificate is { } tls)
            akka.AddSetup(tls.SslSetup()); // where KvActors' socket transport, like DotNetty's, finds the certificate
        akka
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<FilteredLoggerFactoryLogger>();
                loggers.WithLogFilter(filters =>
                {
                    if (!settings.LogClientDisconnects) filters.Add(new ClientDisconnectFilter());
                    if (!settings.LogPeerDisconnectTraces) filters.Add(new PeerDisconnectFilter());
                });
            })
            .WithRemoting(remote)
            // Seeds are joined by SeedJoiner, once one listens, not through ClusterOptions.SeedNodes.
            .WithClustering(new ClusterOptions
            {
                Roles = [.. settings.Roles],
                MinimumNumberOfMembers = settings.MinNrOfMembers,
            })
            .AddStartup((system, _) => Started(system, settings, ring, config, resp, services));
    }

    private static void Started(ActorSystem system, NodeSettings settings, RingSettings ring, LayeredConfig config,
        (RespServer Server, RespSettings Settings)? resp, IServiceProvider services)
    {
        var extended = (ExtendedActorSystem)system;
        extended.SystemActorOf(Props.Create(() => new AdminActor(new ClusterAdmin(system), settings.ShowRemovedMembersFor)), AdminPaths.ActorName);
        // The ring keeper first: a RingManager that starts asks every member for its last ring.
        // Then the data path: the storage engine (recovered from data-dir), the replicator and the shard host.
        var read = new SettingReader(config);
        var loggers = services.GetRequiredService<ILoggerFactory>();
        StoreHost.Start(system, StorageConfig.From(read), RingHost.Start(system, ring), ShardConfig.From(read), loggers.CreateLogger("KvActors.Storage"));
        if (resp is var (respServer, respSettings))
        {
            // After the store: the front end's requests go to the node's own shard host and ring keeper.
            RespHost.Start(system, respServer, respSettings, settings.Name, settings.Certificate,
                loggers.CreateLogger("KvActors.Resp"));
            system.Log.Info($"Redis clients are served on {respSettings.Host}:{respServer.EndPoint.Port} (RESP2/RESP3).");
        }
        var cluster = Akka.Cluster.Cluster.Get(system);
        SeedJoiner.Start(system, settings.Seeds, settings.SystemName, settings.Certificate);
        var s = cluster.Settings;
        var tls = settings.Certificate is null ? "off" : $"mutual, pinned {settings.Certificate.Thumbprint[..16]}...";
        var seeds = settings.Seeds.Count == 0 ? "none" : string.Join(", ", settings.Seeds);
        var pause = s.FailureDetectorConfig.GetTimeSpan("acceptable-heartbeat-pause", null, false).TotalMilliseconds;
        system.Log.Info($"Node {settings.Name} is up at {cluster.SelfAddress} (admin at /system/{AdminPaths.ActorName}; seeds: {seeds}; " +
            $"data-dir: {settings.DataDir}; TLS: {tls}; failure detector: heartbeat {s.HeartbeatInterval.TotalMilliseconds} ms, " +
            $"pause {pause} ms; downing: {s.DowningProviderType?.Name ?? "none"}).");
    }

    public static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
