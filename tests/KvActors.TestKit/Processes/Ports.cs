using System.Net;
using System.Net.Sockets;

namespace KvActors.TestKit.Processes;

/// <summary>Loopback ports for processes that must know each other's address before they start.</summary>
public static class Ports
{
    /// <summary>
    /// A loopback port free right now: bound to 0 (the system picks), then released. Another process could take it
    /// before it is used, so use it at once, and only where starting everything at the same time is worth that small risk.
    /// </summary>
    public static int Free()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

/// <summary>
/// A loopback port that refuses connections for as long as this object lives: a socket is bound to
/// it (port 0, so the system picks a free one) and never listens, so a connect gets "connection
/// refused" at once and no other process can take the port meanwhile (unlike bind-and-release).
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public string Address => $"127.0.0.1:{Port}";

    public void Dispose() => _socket.Dispose();
}

/// <summary>
/// A loopback listener that accepts TCP connections, counts them and never answers: a command
/// pointed at it either contacts nothing (count 0, prompt exit) or would wait out its timeout.
/// </summary>
public sealed class SilentListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public SilentListener()
    {
        _listener.Start();
        _ = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                lock (_accepted) _accepted.Add(client);
                Interlocked.Increment(ref _connections);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted) foreach (var c in _accepted) c.Dispose();
        _stop.Dispose();
    }
}
