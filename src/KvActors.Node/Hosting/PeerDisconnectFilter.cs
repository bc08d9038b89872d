using Akka.Event;

namespace KvActors.Node.Hosting;

/// <summary>
/// Makes a lost association with a peer one log line instead of two events with three stack traces.
/// </summary>
/// <remarks>
/// When a peer's process dies, its TCP connection closes and Akka.Remote (1.5.73) stops the endpoint writer with an
/// <c>EndpointDisassociatedException</c>: the reliable-delivery supervisor logs WARN "Association with remote system X has
/// failed; address is now gated for N ms. Reason is: [exception with its stack trace]", and the supervisor strategy logs
/// the same exception again as an ERROR "Disassociated" with its cause. Neither setting of
/// <c>akka.remote.log-remote-lifecycle-events</c> reaches these two (it governs the lifecycle events only), so the
/// node's logger handles them: the ERROR is dropped (<see cref="ShouldKeepMessage"/>, an Akka log filter) and the WARN
/// keeps its first line, which names the peer and the exception (<see cref="Shorten"/>). Only that exception type is
/// touched: any other remoting failure keeps its trace. Off with <c>kvactors.node.log-peer-disconnect-traces = on</c>.
/// </remarks>
public sealed class PeerDisconnectFilter : LogFilterBase
{
    private const string EndpointSource = "/system/endpointManager/reliableEndpointWriter-";
    private const string Disassociated = "Akka.Remote.EndpointDisassociatedException";

    public override LogFilterType FilterType => LogFilterType.Content;

    /// <summary>Drops the supervisor's ERROR for a stopped endpoint writer whose cause is a disassociation.</summary>
    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content is Error { Cause: { } cause } && cause.GetType().FullName == Disassociated && IsEndpoint(content)
            ? LogFilterDecision.Drop
            : LogFilterDecision.Keep;
    }

    /// <summary>
    /// The WARN about a failed association whose reason is a disassociation, cut to its first line (which names the
    /// peer, the gating time and the exception); any other event unchanged.
    /// </summary>
    public static LogEvent Shorten(LogEvent log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log is not Warning || !IsEndpoint(log))
            return log;
        var text = log.Message?.ToString() ?? "";
        var reason = text.IndexOf("Reason is: [" + Disassociated, StringComparison.Ordinal);
        var lineEnd = text.IndexOf('\n', Math.Max(reason, 0));
        if (reason < 0 || lineEnd < 0)
            return log;
        return new Warning(log.LogSource, log.LogClass, text[..lineEnd].TrimEnd('\r') + "]");
    }

    private static bool IsEndpoint(LogEvent log) => log.LogSource?.Contains(EndpointSource, StringComparison.Ordinal) == true;
}
