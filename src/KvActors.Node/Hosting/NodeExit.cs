using Akka.Actor;

namespace KvActors.Node.Hosting;

/// <summary>
/// kvnode's exit code from why its actor system stopped: 0 when an operator or the cluster asked
/// (a signal, a leave, a downing by the split-brain resolver), 1 with one sentence on stderr when
/// it stopped for any other reason (a failed TLS handshake with the seed, a fatal error), so a
/// supervisor can tell a crash from a shutdown.
/// </summary>
public static class NodeExit
{
    public static int Code(ActorSystem system)
    {
        var reason = CoordinatedShutdown.Get(system).ShutdownReason;
        if (reason is null || reason is CoordinatedShutdown.ClrExitReason or CoordinatedShutdown.ClusterLeavingReason
                or CoordinatedShutdown.ClusterDowningReason or CoordinatedShutdown.ActorSystemTerminateReason)
            return 0;
        // Our own reasons say what went wrong and carry their exit code.
        if (reason.GetType().Namespace?.StartsWith("KvActors", StringComparison.Ordinal) == true && reason.ExitCode != 0)
        {
            Console.Error.WriteLine($"kvnode: the node stopped: {reason}.");
            return reason.ExitCode;
        }
        Console.Error.WriteLine($"kvnode: the node stopped unexpectedly ({reason.GetType().Name.Replace("Reason", "", StringComparison.Ordinal)}); see its log.");
        return 1;
    }
}
