using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;

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
/// 2 cores (3 kvnodes, RF 3, store-load with 64 puts in flight, 10-s rounds, 2026-11-30), kvnodes on this transport
/// against DotNetty's, the client on DotNetty's, interleaved: 24.4k, 22.1k, 20.4k, 19.1k puts/s against 14.9k, 15.0k,
/// 16.0k, 16.1k; kvnode CPU per put 65-82 against 104-111 us. With the client on it too: 26.9k and 27.7k puts/s, 59-61
/// us in the kvnodes and 9.3 us in the client (15-17 on DotNetty's). It has no TLS: a node or client with a certificate
/// runs DotNetty's transport (<see cref="Security.ClusterCertificate.EnableSslHocon"/>).
/// Where it listens (hostname, public-hostname, port), the largest frame and the write buffer bound come from
/// <c>akka.remote.dot-netty.tcp</c>, which Akka.Hosting, kvnode and the tests set, so one place says where a node listens.
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
    private Socket? _listener;
    private Address? _localAddress;

    public SocketTransport(ActorSystem system, Config config)
    {
        System = system;
        Config = config.WithFallback(system.Settings.Config.GetConfig("akka.remote.dot-netty.tcp"));
        SchemeIdentifier = "tcp";
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
        _localAddress = new Address("tcp", System.Name, _publicHostname, ((IPEndPoint)listener.LocalEndPoint!).Port);
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
                _log.Debug("Accepting a connection failed: {0}", e.Message);
                continue;
            }
            var peer = (IPEndPoint)socket.RemoteEndPoint!;
            var association = Open(socket, _localAddress!, new Address("tcp", System.Name, peer.Address.ToString(), peer.Port));
            associations.Notify(new InboundAssociation(association));
        }
    }

    public override bool IsResponsibleFor(Address remote) => true;

    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        if (remoteAddress.Host is not { } host || remoteAddress.Port is not { } port)
            throw new InvalidAssociationException($"Address {remoteAddress} has no host and port.");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidAssociationException($"Failed to associate with {remoteAddress}: {e.Message}", e);
        }
        var local = (IPEndPoint)socket.LocalEndPoint!;
        return Open(socket, new Address("tcp", System.Name, local.Address.ToString(), local.Port), remoteAddress);
    }

    private SocketAssociation Open(Socket socket, Address local, Address remote)
    {
        socket.NoDelay = true;
        var association = new SocketAssociation(local, remote, socket, (int)MaximumPayloadBytes, _maxPendingBytes, _log, a => _open.TryRemove(a, out _));
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
