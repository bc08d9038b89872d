using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using Akka.Remote.Transport.DotNetty;

namespace KvActors.Store.Remoting;

/// <summary>
/// Akka.Remote's TCP transport on plain .NET sockets, plugged in through Akka's transport interface
/// (<c>akka.remote.enabled-transports</c>; reference.conf). It frames as Akka's DotNetty transport does (a 4-byte
/// little-endian length, then the payload), so either end may run either transport, and its addresses are Akka's usual
/// <c>akka.tcp://</c> ones.
/// </summary>
/// <remarks>
/// Why not DotNetty: it moves every write onto its own event-loop thread and every read through it, two thread switches
/// per remote message on top of the dispatcher's; in a 3-node cluster under puts those threads took a quarter of a node's
/// CPU samples and most of its futex calls. Here a write is sent from the writer's own thread when the socket takes it
/// (<see cref="SocketAssociation"/>), and a read is handed to Akka on the thread the socket completed on. Measured on
/// 2 cores (3 kvnodes, RF 3, store-load with 64 puts in flight, 10-s rounds, 2026-11-30, plain TCP), kvnodes on this transport
/// against DotNetty's, the client on DotNetty's, interleaved: 24.4k, 22.1k, 20.4k, 19.1k puts/s against 14.9k, 15.0k,
/// 16.0k, 16.1k; kvnode CPU per put 65-82 against 104-111 us. With the client on it too: 26.9k and 27.7k puts/s, 59-61
/// us in the kvnodes and 9.3 us in the client (15-17 on DotNetty's). With TLS (3 kvnodes with one certificate, redis-benchmark
/// --cluster SET, 50 connections, unpipelined, 2 interleaved pairs): 14.2k and 13.7k SET/s against 10.8k and 11.1k, kvnode
/// CPU per SET 120-123 against 161-163 us.
/// <para>Where it listens (hostname, public-hostname, port), the largest frame and whether it runs TLS
/// (<c>enable-ssl</c>) come from <c>akka.remote.dot-netty.tcp</c>, which Akka.Hosting, kvnode, the clients and the tests
/// set, so one place says it. TLS takes its certificate and validation callback from Akka's
/// <see cref="DotNettySslSetup"/> (<see cref="Security.ClusterCertificate.SslSetup"/>): both ends present the certificate
/// and each checks the other's with the callback; addresses are then <c>akka.ssl.tcp://</c>, as DotNetty's.</para>
/// </remarks>
public sealed class SocketTransport : Transport
{
    private readonly TaskCompletionSource<IAssociationEventListener> _associationListener = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<SocketAssociation, bool> _open = new();
    private readonly ILoggingAdapter _log;
    private readonly string _hostname;
    private readonly string _publicHostname;
    private readonly int _port;
    private readonly long _maxPendingBytes;
    private readonly DotNettySslSetup? _tls;
    private readonly TimeSpan _handshakeTimeout; // and the connect's: akka.remote.dot-netty.tcp.connection-timeout
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);
    private Socket? _listener;
    private Address? _localAddress;

    public SocketTransport(ActorSystem system, Config config)
    {
        System = system;
        Config = config.WithFallback(system.Settings.Config.GetConfig("akka.remote.dot-netty.tcp"));
        if (Config.GetBoolean("enable-ssl", false))
            _tls = system.Settings.Setup.Get<DotNettySslSetup>().Value
                ?? throw new ConfigurationException("akka.remote.dot-netty.tcp.enable-ssl is on but the actor system has no DotNettySslSetup with the certificate.");
        SchemeIdentifier = _tls is null ? "tcp" : "ssl.tcp";
        _handshakeTimeout = Config.GetTimeSpan("connection-timeout", TimeSpan.FromSeconds(15));
        MaximumPayloadBytes = Config.GetByteSize("maximum-frame-size", 128000) ?? 128000;
        _hostname = Config.GetString("hostname", "");
        if (string.IsNullOrEmpty(_hostname)) _hostname = IPAddress.Loopback.ToString();
        _publicHostname = Config.GetString("public-hostname", "");
        if (string.IsNullOrEmpty(_publicHostname)) _publicHostname = _hostname;
        _port = Config.GetInt("port", 0);
        _maxPendingBytes = Config.GetByteSize("pending-write-limit", null) ?? 4 * MaximumPayloadBytes;
        _log = Logging.GetLogger(system, typeof(SocketTransport));
    }

    public override async Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        var ip = await Resolve(_hostname).ConfigureAwait(false);
        var listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // .NET sets SO_REUSEADDR, not SO_REUSEPORT: a node restarted after a crash binds past TIME_WAIT, and a second
            // process cannot share a live node's port (see akka.remote.dot-netty.tcp.tcp-reuse-addr in reference.conf).
            listener.Bind(new IPEndPoint(ip, _port));
            listener.Listen(4096);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        _localAddress = new Address(SchemeIdentifier, System.Name, _publicHostname, ((IPEndPoint)listener.LocalEndPoint!).Port);
        _ = AcceptLoop(listener);
        return (_localAddress, _associationListener);
    }

    private async Task AcceptLoop(Socket listener)
    {
        var associations = await _associationListener.Task.ConfigureAwait(false);
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return; // shut down
            }
            catch (SocketException e)
            {
                if (_listener is null) return;
                // Out of file descriptors, say: back off a little rather than spin on the error.
                _log.Warning("Accepting a connection failed: {0}", e.Message);
                await Task.Delay(AcceptRetryDelay).ConfigureAwait(false);
                continue;
            }
            _ = Accepted(socket, associations);
        }
    }

    /// <summary>An accepted connection, once its TLS handshake (if any) is done, is offered to Akka; a failed one is closed.</summary>
    private async Task Accepted(Socket socket, IAssociationEventListener associations)
    {
        var peer = (IPEndPoint)socket.RemoteEndPoint!;
        SslStream? tls = null;
        try
        {
            tls = await Handshake(socket, peer.ToString(), server: true).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Dispose(); // Handshake logged why (or the transport is shutting down)
            return;
        }
        associations.Notify(new InboundAssociation(Open(socket, tls, _localAddress!, new Address(SchemeIdentifier, System.Name, peer.Address.ToString(), peer.Port))));
    }

    /// <summary>Runs the TLS handshake on a new connection when TLS is on (both ends present the certificate); null for plain TCP.</summary>
    private async Task<SslStream?> Handshake(Socket socket, string peer, bool server)
    {
        if (_tls is not { } tls) return null;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        var refused = false; // by the validation callback, which logs it
        RemoteCertificateValidationCallback check = (_, certificate, chain, errors) =>
        {
            var accepted = tls.CustomValidator is { } validator
                ? validator(certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())), chain, peer, errors, _log)
                : tls.SuppressValidation || errors == SslPolicyErrors.None;
            refused = !accepted;
            return accepted;
        };
        using var timeout = new CancellationTokenSource(_handshakeTimeout);
        try
        {
            if (server)
                await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = tls.Certificate,
                    ClientCertificateRequired = tls.RequireMutualAuthentication,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = check,
                }, timeout.Token).ConfigureAwait(false);
            else
                await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = peer,
                    ClientCertificates = new X509CertificateCollection { tls.Certificate },
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = check,
                }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A peer without TLS, or with TLS but no certificate, shows up here: an operator should see it.
            if (server && !refused)
                _log.Warning("Refused a connection from {0}: its TLS handshake failed ({1}); it may be running without the cluster's certificate.", peer, e.Message.TrimEnd('.'));
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return stream;
    }

    public override bool IsResponsibleFor(Address remote) => true;

    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        if (remoteAddress.Host is not { } host || remoteAddress.Port is not { } port)
            throw new InvalidAssociationException($"Address {remoteAddress} has no host and port.");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Bounded as DotNetty's connect is (connection-timeout): a host that drops packets would hold it for minutes.
            using var timeout = new CancellationTokenSource(_handshakeTimeout);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new InvalidAssociationException($"Failed to associate with {remoteAddress}: {(e is OperationCanceledException ? $"no connection within {_handshakeTimeout.TotalSeconds:0.#} s" : e.Message)}", e);
        }
        SslStream? tls;
        try
        {
            tls = await Handshake(socket, host, server: false).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new InvalidAssociationException($"The TLS handshake with {remoteAddress} failed: {e.Message}", e);
        }
        var local = (IPEndPoint)socket.LocalEndPoint!;
        return Open(socket, tls, new Address(SchemeIdentifier, System.Name, local.Address.ToString(), local.Port), remoteAddress);
    }

    private SocketAssociation Open(Socket socket, SslStream? tls, Address local, Address remote)
    {
        socket.NoDelay = true;
        var association = new SocketAssociation(local, remote, socket, tls, (int)MaximumPayloadBytes, _maxPendingBytes, _log, a => _open.TryRemove(a, out _));
        _open[association] = true;
        association.Start();
        return association;
    }

    public override Task<bool> Shutdown()
    {
        var listener = _listener;
        _listener = null;
        listener?.Dispose();
        foreach (var association in _open.Keys)
            association.Close();
        return Task.FromResult(true);
    }

    private static async Task<IPAddress> Resolve(string host) =>
        IPAddress.TryParse(host, out var ip) ? ip
        : host == "localhost" ? IPAddress.Loopback
        : (await Dns.GetHostAddressesAsync(host).ConfigureAwait(false)).First();
}
