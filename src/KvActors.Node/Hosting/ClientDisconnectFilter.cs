using System.Text.RegularExpressions;
using Akka.Event;
using KvActors.Client;

namespace KvActors.Node.Hosting;

/// <summary>
/// Drops what Akka.Remote logs on a node when a <c>kv</c> client (actor system <see cref="AdminPaths.ClientSystemName"/>)
/// goes away: the end of its association, and the dead letters and buffer clean-up that follow.
/// </summary>
/// <remarks>
/// Why: a client's exit races Akka.Remote's own shutdown. The client's endpoint writer is stopped, then its transport
/// closes the TCP connection at once, often before the protocol actor has sent the graceful "shutting down"
/// disassociation; the node then takes a normal exit for a broken association and logs WARN "Association ... has
/// failed", ERROR "Disassociated" and an INFO dead letter (about one exit in four here). Only events whose source is
/// the node's endpoint for a kv client and that speak of the association ending are dropped; associations between
/// nodes, and any other error on a client's association, are logged as before. Off with
/// <c>kvactors.node.log-client-disconnects = on</c>.
/// </remarks>
public sealed class ClientDisconnectFilter : LogFilterBase
{
    private static readonly Regex ClientEndpoint = new(
        @"/system/endpointManager/reliableEndpointWriter-akka(\.ssl)?\.tcp(://|%3A%2F%2F)" + Regex.Escape(AdminPaths.ClientSystemName) + "(@|%40)",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private static readonly string[] Disconnect = ["Disassociated", "was not delivered", "Removing receive buffers"];

    public override LogFilterType FilterType => LogFilterType.Content;

    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!ClientEndpoint.IsMatch(content.LogSource ?? ""))
            return LogFilterDecision.Keep;
        var text = expandedMessage ?? content.ToString() ?? "";
        return Disconnect.Any(d => text.Contains(d, StringComparison.Ordinal)) ? LogFilterDecision.Drop : LogFilterDecision.Keep;
    }
}
