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

    /// <summary>
    /// Loads the certificate (if any) and starts the system; a failure is <paramref name="fail"/>(one sentence, cause),
    /// so each client throws its own exception type.
    /// </summary>
    public static (ActorSystem System, ClusterCertificate? Certificate) Start(
        string host, string? certificatePath, string passwordVariable, Func<string, Exception, Exception> fail)
    {
        ClusterCertificate? certificate;
        try
        {
            certificate = certificatePath is null ? null : ClusterCertificate.Load(certificatePath, passwordVariable);
        }
        catch (CertificateException e)
        {
            throw fail(e.Message, e);
        }
        try
        {
            return (Start(host, certificate), certificate);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw fail($"The client could not start its own endpoint on {host}: {Innermost(e).Message.TrimEnd('.')}.", e);
        }
    }

    /// <summary>How long a client that is done waits for its system to terminate before it lets go.</summary>
    private static readonly TimeSpan TerminateWait = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Terminates <paramref name="system"/>, waiting at most <paramref name="wait"/> (3 s by default): Akka.Remote may
    /// spend many more seconds flushing an association to a node that accepted a connection but stopped answering, or
    /// on a starved machine, and a client that is done (`kv cluster tail` after Ctrl+C) must not hang on that.
    /// </summary>
    public static Task TerminateAsync(ActorSystem system, TimeSpan? wait = null) =>
        Task.WhenAny(system.Terminate(), Task.Delay(wait ?? TerminateWait));

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

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
            # The client's actors run on the .NET thread pool (Akka's default), not on the dedicated threads
            # reference.conf gives a node: an idle one of those yields the processor up to 100 times before it
            # sleeps, which pays off in a node busy with hundreds of partitions and only costs CPU in a client
            # inside someone else's process. Puts on 3 kvnodes in interleaved runs (2026-11-29), pool against
            # dedicated threads, client CPU per put: at 64 in flight 12-15 against 15-17 us (store-load) and 13-14
            # against 16-20 us (bench store), puts/s the same within the noise; at 1 in flight 124-127 against
            # 257-271 us, with p50 650-670 against 710-740 us.
            akka.actor.default-dispatcher.executor = default-executor
            """).WithFallback(KvConfig.Reference);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var actorSetup = certificate is null ? ActorSystemSetup.Create(setup) : setup.And(certificate.SslSetup());
        return ActorSystem.Create(Name, actorSetup);
    }
}
