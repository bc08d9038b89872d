using System.Net;
using KvActors.Resp.Commands;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KvActors.Resp.Server;

/// <summary>
/// The RESP listener on Kestrel's socket transport (its connection layer only, no HTTP): each accepted connection gets a
/// pair of pipes with bounded buffers and runs as a <see cref="RespConnection"/>. Connections beyond
/// <see cref="RespSettings.MaxClients"/> get Redis's error and are closed. Bind first (<see cref="BindAsync"/>, so the
/// port is known before the node announces it), then <see cref="Start"/> with the node's context.
/// </summary>
public sealed class RespServer : IAsyncDisposable
{
    /// <summary>The transport stops reading a socket once this much input is unparsed; the parser consumes every whole argument.</summary>
    private const long InputBufferLimit = 1 << 20;

    /// <summary>Unsent replies beyond this make a connection's flush wait (back-pressure on a client that does not read).</summary>
    private const long OutputBufferLimit = 256 << 10;

    private readonly IConnectionListener _listener;
    private ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<ConnectionContext, Task> _connections = [];
    private Task? _acceptLoop;
    private RespNode? _node;

    private RespServer(IConnectionListener listener, ILogger logger)
    {
        _listener = listener;
        _logger = logger;
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.EndPoint;

    /// <summary>Listens on <paramref name="host"/>:<paramref name="port"/> (0 = a free port); accepts nothing before <see cref="Start"/>.</summary>
    public static async Task<RespServer> BindAsync(string host, int port, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        var address = IPAddress.TryParse(host, out var ip) ? ip
            : host == "localhost" ? IPAddress.Loopback
            : (await Dns.GetHostAddressesAsync(host).ConfigureAwait(false)).First();
        var factory = new SocketTransportFactory(Options.Create(new SocketTransportOptions
        {
            NoDelay = true,
            MaxReadBufferSize = InputBufferLimit,
            MaxWriteBufferSize = OutputBufferLimit,
            // A connection's reads, parsing and sends run on the socket's completion thread instead of hopping to the
            // thread pool twice per read and once per flush: nothing on that path blocks (a command only sends a
            // message to an actor or completes at once; a full reply queue or output buffer is awaited, not waited on).
            UnsafePreferInlineScheduling = true,
        }), loggers);
        var listener = await factory.BindAsync(new IPEndPoint(address, port)).ConfigureAwait(false);
        return new RespServer(listener, loggers.CreateLogger("KvActors.Resp"));
    }

    /// <summary>Starts accepting; <paramref name="logger"/> (default: the one given at bind) gets warnings and, at debug level, closed connections.</summary>
    public void Start(RespNode node, ILogger? logger = null)
    {
        if (_node is not null) throw new InvalidOperationException("The RESP server is already started.");
        _node = node;
        if (logger is not null) _logger = logger;
        _acceptLoop = AcceptLoop(node);
    }

    private async Task AcceptLoop(RespNode node)
    {
        while (!_stopping.IsCancellationRequested)
        {
            ConnectionContext? connection;
            try
            {
                connection = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning("The RESP listener failed to accept a connection: {Error}", e.Message);
                continue;
            }
            if (connection is null) return; // unbound
            if (node.Stats.ConnectedClients >= node.Settings.MaxClients)
            {
                node.Stats.Rejected();
                _ = RejectAsync(connection);
                continue;
            }
            lock (_connections) _connections[connection] = Task.Run(() => Serve(connection, node));
        }
    }

    private async Task Serve(ConnectionContext connection, RespNode node)
    {
        try
        {
            await new RespConnection(connection, node, _logger).RunAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (_connections) _connections.Remove(connection);
        }
    }

    private static async Task RejectAsync(ConnectionContext connection)
    {
        try
        {
            await connection.Transport.Output.WriteAsync("-ERR max number of clients reached\r\n"u8.ToArray()).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // the client is gone already
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        await _listener.UnbindAsync().ConfigureAwait(false);
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        Task[] running;
        lock (_connections)
        {
            foreach (var connection in _connections.Keys) connection.Abort();
            running = [.. _connections.Values];
        }
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
