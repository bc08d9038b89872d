using System.Net.Sockets;
using System.Text;
using KvActors.Resp.Tests.Protocol;

namespace KvActors.Resp.Tests.Server;

/// <summary>
/// A bare RESP connection for tests that need exact bytes: send any frame, read one reply (as raw text, with a
/// deadline), see when the server closes. Replies are parsed just enough to know where one ends.
/// </summary>
internal sealed class RawRespClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly List<byte> _pending = [];

    public RawRespClient(int port, TimeSpan? timeout = null)
    {
        var max = (int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        _socket.ReceiveTimeout = max;
        _socket.SendTimeout = max;
        _socket.Connect("127.0.0.1", port);
    }

    public Socket Socket => _socket;

    public void Send(byte[] bytes) => _socket.Send(bytes);

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    /// <summary>Sends a multibulk command and reads its reply.</summary>
    public string Call(params string[] args)
    {
        Send(Frames.MultiBulk(args));
        return ReadReply();
    }

    /// <summary>The next whole reply as raw text ("+OK\r\n", "$1\r\na\r\n"...); throws when the server closes first.</summary>
    public string ReadReply()
    {
        while (true)
        {
            var end = ReplyEnd(_pending.ToArray(), 0);
            if (end > 0)
            {
                var text = Encoding.UTF8.GetString(_pending.GetRange(0, end).ToArray());
                _pending.RemoveRange(0, end);
                return text;
            }
            var buffer = new byte[64 * 1024];
            var n = _socket.Receive(buffer);
            if (n == 0) throw new IOException($"The server closed the connection; unread: '{Encoding.UTF8.GetString(_pending.ToArray())}'.");
            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>True when the server has closed the connection (reads 0 bytes) within the receive timeout; pending bytes are dropped.</summary>
    public bool IsClosedByServer()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = _socket.Receive(buffer);
                if (n == 0) return true;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return false;
        }
    }

    /// <summary>The index after the reply starting at <paramref name="at"/>, or -1 when it is incomplete.</summary>
    private static int ReplyEnd(byte[] b, int at)
    {
        var line = Array.IndexOf(b, (byte)'\n', at);
        if (at >= b.Length || line < 0) return -1;
        var header = Encoding.ASCII.GetString(b, at + 1, line - at - 2);
        switch ((char)b[at])
        {
            case '+' or '-' or ':' or '_' or '#' or ',':
                return line + 1;
            case '$' or '=':
                var length = int.Parse(header);
                if (length < 0) return line + 1;
                return b.Length >= line + 1 + length + 2 ? line + 1 + length + 2 : -1;
            case '*' or '~' or '%':
                var count = int.Parse(header) * (b[at] == '%' ? 2 : 1);
                var next = line + 1;
                for (var i = 0; i < count; i++)
                {
                    next = ReplyEnd(b, next);
                    if (next < 0) return -1;
                }
                return next;
            default:
                throw new InvalidDataException($"Not a RESP reply: '{Encoding.UTF8.GetString(b, at, b.Length - at)}'.");
        }
    }

    public void Dispose() => _socket.Dispose();
}
