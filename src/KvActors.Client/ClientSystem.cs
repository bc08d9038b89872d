using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using KvActors.Store.Configuration;
using KvActors.Store.Security;

namespace KvActors.Client;

/// <summary>
/// The client's own actor system: Akka.Remote on a free port, not a cluster member, with the
/// node's serializer bindings (from reference.conf) and, when given, the cluster certificate.
/// </summary>
internal static class ClientSystem
{
    public const string Name = "kv-client";

    public static ActorSystem Start(string host, ClusterCertificate? certificate)
    {
        var config = ConfigurationFactory.ParseString($"""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.hostname = {ConfigOverrides.Quote(host)}
            akka.remote.dot-netty.tcp.port = 0
            {(certificate is null ? "" : ClusterCertificate.EnableSslHocon)}
            # A short-lived client: a node that is down is expected, not worth a log line.
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.log-dead-letters = off
            akka.remote.log-remote-lifecycle-events = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """).WithFallback(KvConfig.Reference);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var actorSetup = certificate is null ? ActorSystemSetup.Create(setup) : setup.And(certificate.SslSetup());
        return ActorSystem.Create(Name, actorSetup);
    }
}
