using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using KvActors.Store.Security;

namespace KvActors.Client;

/// <summary>
/// Checks that a node's endpoint accepts connections before Akka.Remote is asked to reach it:
/// Akka retries a refused or failing association quietly until a timeout, and logs a WARN per
/// attempt, where a direct probe can tell "nothing listens there" or "it refuses our certificate"
/// at once. With a cluster certificate the probe completes a real mutual-TLS handshake, so the
/// node sees a well-behaved client rather than a failed handshake.
/// </summary>
public static class EndpointProbe
{
    /// <summary>Null when <paramref name="endpoint"/> accepts a connection (and our certificate), else why not, as a phrase.</summary>
    public static async Task<string?> ProbeAsync(HostPort endpoint, ClusterCertificate? certificate, TimeSpan timeout)
    {
        using var tcp = new TcpClient();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token).ConfigureAwait(false);
            if (certificate is null) return null;
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = endpoint.Host,
                ClientCertificates = new X509CertificateCollection { certificate.Certificate },
                // The pin is what authenticates (the certificate is self-signed, nodes go by IP).
                RemoteCertificateValidationCallback = (_, presented, _, _) => certificate.IsPinned(presented),
            }, deadline.Token).ConfigureAwait(false);
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return "refused the connection (no node listens there)";
        }
        catch (SocketException e)
        {
            return $"could not be reached ({e.SocketErrorCode})";
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return "failed the TLS handshake (it presents another certificate, or refuses ours: are both started with the same --cert?)";
        }
        catch (OperationCanceledException)
        {
            return $"did not accept a connection within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
        }
    }
}
