using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace KvActors.Store.Remoting;

/// <summary>
/// One TCP connection of <see cref="SocketTransport"/>: frames out (a 4-byte little-endian length, then the payload) and
/// frames in, handed to Akka's listener on the thread the socket completed on.
/// </summary>
/// <remarks>
/// A write is sent at once from the caller's thread (Akka's endpoint writer) when the socket buffer takes it, without
/// blocking: the socket is non-blocking. What it does not take is queued and sent by an asynchronous loop, and later writes
/// queue behind it, in order. Over TLS every write goes through that loop (a <see cref="SslStream"/> has no non-blocking
/// write), which starts on the caller's thread and usually finishes there, as the socket takes the bytes at once.
/// Beyond <c>maxPendingBytes</c> queued, <see cref="Write"/> returns false, Akka's signal to back off and retry (its endpoint writer buffers meanwhile), so a peer that stops reading costs bounded memory and never
/// blocks a dispatcher thread. A frame in over the largest allowed, or any socket error, closes the connection and tells
/// Akka it is disassociated, as a closed connection does.
/// </remarks>
internal sealed class SocketAssociation : AssociationHandle
{
    private const int HeaderBytes = 4;
    private const int ReadBufferBytes = 64 * 1024;
    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly int _maxFrame;
    private readonly long _maxPendingBytes;
    private readonly ILoggingAdapter _log;
    private readonly Action<SocketAssociation> _closed;
    private readonly object _lock = new();
    private readonly Queue<ReadOnlyMemory<byte>> _pending = new();
    private readonly TaskCompletionSource _closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _pendingBytes;
    private bool _draining;
    private bool _isClosed;

    /// <param name="tls">The authenticated TLS stream over <paramref name="socket"/>, or null for plain TCP.</param>
    public SocketAssociation(Address local, Address remote, Socket socket, SslStream? tls, int maxFrame, long maxPendingBytes,
        ILoggingAdapter log, Action<SocketAssociation> closed) : base(local, remote)
    {
        _socket = socket;
        _tls = tls;
        if (tls is null) _socket.Blocking = false; // a NetworkStream under TLS needs a blocking socket
        _maxFrame = maxFrame;
        _maxPendingBytes = maxPendingBytes;
        _log = log;
        _closed = closed;
    }

    /// <summary>Starts reading; frames go to Akka's listener once Akka has set it (<see cref="AssociationHandle.ReadHandlerSource"/>).</summary>
    public void Start() => _ = ReadLoop();

    /// <remarks>Akka's endpoint writer drops a payload over the transport's largest frame before it gets here.</remarks>
    public override bool Write(ByteString payload)
    {
        var frame = new byte[HeaderBytes + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.Span.CopyTo(frame.AsSpan(HeaderBytes));
        lock (_lock)
        {
            if (_isClosed) return false;
            if (_draining)
            {
                if (_pendingBytes >= _maxPendingBytes) return false;
                Enqueue(frame);
                return true;
            }
            if (_tls is null)
            {
                var sent = _socket.Send(frame, 0, frame.Length, SocketFlags.None, out var error);
                if (error is not (SocketError.Success or SocketError.WouldBlock))
                {
                    CloseLocked($"a send failed ({error})");
                    return false;
                }
                if (sent == frame.Length) return true;
                Enqueue(frame.AsMemory(sent));
            }
            else
                Enqueue(frame); // over TLS every frame goes through the send loop
            _draining = true;
        }
        _ = Drain();
        return true;
    }

    private void Enqueue(ReadOnlyMemory<byte> bytes)
    {
        _pending.Enqueue(bytes);
        _pendingBytes += bytes.Length;
    }

    /// <summary>Sends the queued bytes in order until none are left; runs while <see cref="_draining"/>.</summary>
    private async Task Drain()
    {
        while (true)
        {
            ReadOnlyMemory<byte> next;
            lock (_lock)
            {
                if (_isClosed || !_pending.TryDequeue(out next))
                {
                    _draining = false;
                    return;
                }
                _pendingBytes -= next.Length;
            }
            try
            {
                if (_tls is not null)
                    await _tls.WriteAsync(next).ConfigureAwait(false);
                else
                    while (next.Length > 0)
                        next = next[await _socket.SendAsync(next, SocketFlags.None).ConfigureAwait(false)..];
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                lock (_lock) CloseLocked($"a send failed ({e.Message})");
                return;
            }
        }
    }

    private async Task ReadLoop()
    {
        // Akka sets the listener once it takes the connection; one closed before that is told when (if ever) it is set.
        if (await Task.WhenAny(ReadHandlerSource.Task, _closing.Task).ConfigureAwait(false) != ReadHandlerSource.Task)
        {
            _ = ReadHandlerSource.Task.ContinueWith(set => set.Result.Notify(new Disassociated(DisassociateInfo.Unknown)),
                CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            return;
        }
        var listener = ReadHandlerSource.Task.Result;
        var buffer = new byte[ReadBufferBytes];
        var filled = 0;
        string reason;
        try
        {
            while (true)
            {
                var read = _tls is null
                    ? await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false)
                    : await _tls.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                if (read == 0)
                {
                    reason = "the peer closed the connection";
                    break;
                }
                filled += read;
                var offset = 0;
                while (filled - offset >= HeaderBytes)
                {
                    var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset));
                    if (length < 0 || length > _maxFrame)
                        throw new InvalidDataException($"a frame of {length} bytes came in, over akka.remote.dot-netty.tcp.maximum-frame-size ({_maxFrame} bytes)");
                    if (filled - offset - HeaderBytes < length) break;
                    listener.Notify(new InboundPayload(ByteString.CopyFrom(buffer, offset + HeaderBytes, length)));
                    offset += HeaderBytes + length;
                }
                // Keep the partial frame at the start; grow the buffer when the frame it starts will not fit, and go back to
                // the usual size after a large frame, so a connection holds a large buffer only while one comes in.
                filled -= offset;
                var needed = filled >= HeaderBytes ? HeaderBytes + BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset)) : HeaderBytes;
                var target = needed > buffer.Length ? new byte[needed]
                    : buffer.Length > ReadBufferBytes && needed <= ReadBufferBytes ? new byte[ReadBufferBytes]
                    : buffer;
                if (offset > 0 || target != buffer)
                    Array.Copy(buffer, offset, target, 0, filled);
                buffer = target;
            }
        }
        catch (InvalidDataException e)
        {
            reason = e.Message; // a peer that is not a node or client of ours, or a broken one: worth an operator's look
            _log.Warning("Closed the connection from {0}: {1}.", RemoteAddress, reason);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            reason = e.Message;
        }
        lock (_lock) CloseLocked(reason);
        listener.Notify(new Disassociated(DisassociateInfo.Unknown));
    }

#pragma warning disable CS0672 // Akka marks the reasonless overload obsolete for callers; it is still the one to implement
    public override void Disassociate() => Close();
#pragma warning restore CS0672

    /// <summary>Closes the connection; the read loop then tells Akka (once it has a listener).</summary>
    public void Close()
    {
        lock (_lock) CloseLocked("it was disassociated");
    }

    private void CloseLocked(string reason)
    {
        if (_isClosed) return;
        _isClosed = true;
        _pending.Clear();
        _pendingBytes = 0;
        _log.Debug("Connection {0} -> {1} closed: {2}", LocalAddress, RemoteAddress, reason);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already gone
        }
        _tls?.Dispose();
        _socket.Dispose();
        _closing.TrySetResult();
        _closed(this);
    }
}
