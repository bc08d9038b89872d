using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using KvActors.Actor;
using KvActors.Remote.Handshake;
using Microsoft.Extensions.Logging;

namespace KvActors.Remote.Transport;

public enum AssociationState
{
    /// <summary>No connection yet; messages queue and the first one triggers a connect.</summary>
    Idle,
    /// <summary>Connecting or handshaking; messages queue.</summary>
    Connecting,
    /// <summary>Handshake done; the writer drains the queue.</summary>
    Active,
    /// <summary>After a failure, for the backoff period: messages are dropped, then back to Idle.</summary>
    Gated,
}

/// <summary>
/// The outbound half of talking to one remote address (Akka's outbound association). Each side
/// dials its own connection for sending; inbound connections only receive. That avoids the
/// simultaneous-connect race of a shared connection and keeps one writer per socket.
/// Send encodes on the caller's thread into a pooled buffer and enqueues; one writer loop copies
/// frames into the PipeWriter and flushes only when the queue is empty (or past a threshold),
/// so many envelopes share one syscall.
/// </summary>
public sealed class Association
{
    private readonly TcpTransport _transport;
    private readonly Channel<OutboundFrame> _queue =
        Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _log;
    private int _queued;
    private int _state = (int)AssociationState.Idle;
    private volatile UniqueAddress? _remote;
    private volatile bool _remoteQuarantined;
    private Socket? _socket;
    private long _dropped, _sent;
    private Task _loop = Task.CompletedTask;

    internal Association(TcpTransport transport, Address remoteAddress, ILogger log)
    {
        _transport = transport;
        RemoteAddress = remoteAddress;
        _log = log;
    }

    public Address RemoteAddress { get; }
    /// <summary>The peer incarnation of the current (or last) outbound connection, null before the first handshake.</summary>
    public UniqueAddress? Remote => _remote;
    public AssociationState State => (AssociationState)Volatile.Read(ref _state);
    public int QueuedCount => Volatile.Read(ref _queued);
    public long DroppedCount => Interlocked.Read(ref _dropped);
    /// <summary>Envelopes handed to the socket (not necessarily received).</summary>
    public long SentCount => Interlocked.Read(ref _sent);

    internal void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Encodes and queues one envelope; see <see cref="SendResult"/> for what else can happen.</summary>
    public SendResult Send(in OutboundEnvelope envelope)
    {
        if (_stop.IsCancellationRequested) return Drop(envelope, DropReason.ShutDown, SendResult.ShutDown);
        if (_remoteQuarantined) return Drop(envelope, DropReason.Quarantined, SendResult.Quarantined);
        if (State == AssociationState.Gated) return Drop(envelope, DropReason.Gated, SendResult.Gated);
        if (Interlocked.Increment(ref _queued) > _transport.Settings.OutboundQueueSize)
        {
            Interlocked.Decrement(ref _queued);
            return Drop(envelope, DropReason.QueueFull, SendResult.QueueFull);
        }
        var r = EnvelopeCodec.Encode(envelope, _transport.Serializers, _transport.Settings.MaximumFrameSize, out var frame, out var error);
        if (r != EnvelopeCodec.Result.Ok)
        {
            Interlocked.Decrement(ref _queued);
            _log.LogError("Not sending to {Address}: {Error}.", RemoteAddress, error);
            return r == EnvelopeCodec.Result.TooLarge
                ? Drop(envelope, DropReason.TooLarge, SendResult.TooLarge)
                : Drop(envelope, DropReason.SerializationFailed, SendResult.SerializationFailed);
        }
        _queue.Writer.TryWrite(frame);
        return SendResult.Enqueued;
    }

    private SendResult Drop(in OutboundEnvelope envelope, DropReason reason, SendResult result)
    {
        Interlocked.Increment(ref _dropped);
        _transport.ReportDropped(new DroppedEnvelope(RemoteAddress, envelope, reason));
        return result;
    }

    /// <summary>Called by the transport when <paramref name="uid"/> is quarantined or replaced.</summary>
    internal void OnQuarantined(UniqueAddress quarantined)
    {
        if (_remote == quarantined)
        {
            _remoteQuarantined = true;
            Abort();
        }
    }

    /// <summary>Drops the current connection (the loop gates and reconnects later).</summary>
    internal void Abort()
    {
        try { _socket?.Dispose(); } catch { /* already closed */ }
    }

    internal async Task StopAsync()
    {
        _stop.Cancel();
        _queue.Writer.TryComplete();
        Abort();
        try { await _loop.ConfigureAwait(false); } catch { /* loop errors are logged inside */ }
        DrainQueue(DropReason.ShutDown);
    }

    private async Task RunAsync()
    {
        var failures = 0;
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Lazy: connect only when there is something to send.
                if (!await _queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) return;
            }
            catch (OperationCanceledException) { return; }

            var wasActive = false;
            string? failure = null;
            Volatile.Write(ref _state, (int)AssociationState.Connecting);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket = socket;
            try
            {
                await using var stream = await ConnectAsync(socket, ct).ConfigureAwait(false);
                var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, leaveOpen: true));
                var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
                var remote = await HandshakeAsync(reader, writer, ct).ConfigureAwait(false);
                _remote = remote;
                _remoteQuarantined = false;
                failures = 0;
                wasActive = true;
                Volatile.Write(ref _state, (int)AssociationState.Active);
                _transport.OnOutboundEstablished(this, remote);
                await PumpAsync(reader, writer, ct).ConfigureAwait(false);
                failure = "connection closed by peer";
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (HandshakeFailedException e)
            {
                failure = e.Message;
                if (_transport.LogFirst($"handshake-out|{RemoteAddress}|{e.Message}"))
                    _log.LogWarning("Association to {Address} refused at the handshake: {Reason}.", RemoteAddress, e.Message);
                _transport.RaiseEvent(new AssociationEvent(AssociationEventKind.HandshakeFailed, RemoteAddress, Reason: e.Message));
            }
            catch (Exception e)
            {
                failure = e is OperationCanceledException ? "timed out" : e.Message;
                if (!wasActive && _transport.LogFirst($"connect|{RemoteAddress}"))
                    _log.LogWarning("Cannot associate with {Address}: {Reason}; retrying with backoff.", RemoteAddress, failure);
            }
            finally
            {
                socket.Dispose();
            }
            if (ct.IsCancellationRequested) return;

            // Gate: drop what is queued and what comes during the backoff, then try again.
            failures++;
            Volatile.Write(ref _state, (int)AssociationState.Gated);
            if (wasActive)
            {
                _log.LogInformation("Association to {Remote} lost: {Reason}.", _remote, failure);
                _transport.RaiseEvent(new AssociationEvent(AssociationEventKind.Disassociated, RemoteAddress, _remote, Reason: failure));
            }
            DrainQueue(DropReason.Gated);
            try
            {
                await Task.Delay(Backoff.ForAttempt(failures, _transport.Settings.BackoffMin, _transport.Settings.BackoffMax), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            DrainQueue(DropReason.Gated);
            Volatile.Write(ref _state, (int)AssociationState.Idle);
        }
    }

    private async Task<NetworkStream> ConnectAsync(Socket socket, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_transport.Settings.ConnectTimeout);
        await socket.ConnectAsync(RemoteAddress.Host!, RemoteAddress.Port!.Value, timeout.Token).ConfigureAwait(false);
        return new NetworkStream(socket, ownsSocket: false);
    }

    private async Task<UniqueAddress> HandshakeAsync(PipeReader reader, PipeWriter writer, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_transport.Settings.HandshakeTimeout);
        var hs = new HandshakeInitiator(_transport.HandshakeConfig, RemoteAddress);
        await HandshakeIo.SendAsync(writer, hs.Start(), timeout.Token).ConfigureAwait(false);
        while (true)
        {
            byte[] frame;
            try { frame = await HandshakeIo.ReceiveAsync(reader, timeout.Token).ConfigureAwait(false); }
            catch (ProtocolViolationException e) { throw new HandshakeFailedException(e.Message); }
            var step = hs.Receive(frame);
            if (step.Reply is not null) await HandshakeIo.SendAsync(writer, step.Reply, timeout.Token).ConfigureAwait(false);
            switch (step.Outcome)
            {
                case HandshakeOutcome.Established: return step.Remote!;
                case HandshakeOutcome.Failed: throw new HandshakeFailedException(step.Reason!);
            }
        }
    }

    /// <summary>Writer loop plus a reader that only watches for the peer closing (inbound sides never write after Accept).</summary>
    private async Task PumpAsync(PipeReader reader, PipeWriter writer, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watch = WatchForCloseAsync(reader, linked.Token);
        var write = WriteLoopAsync(writer, linked.Token);
        var first = await Task.WhenAny(watch, write).ConfigureAwait(false);
        linked.Cancel();
        try { await Task.WhenAll(watch, write).ConfigureAwait(false); }
        catch (Exception) when (first.IsCompletedSuccessfully) { /* the other side of the pump was cancelled */ }
        await first.ConfigureAwait(false); // surfaces the original error, if any
    }

    private static async Task WatchForCloseAsync(PipeReader reader, CancellationToken ct)
    {
        var result = await reader.ReadAsync(ct).ConfigureAwait(false);
        reader.AdvanceTo(result.Buffer.End);
    }

    private async Task WriteLoopAsync(PipeWriter writer, CancellationToken ct)
    {
        var queue = _queue.Reader;
        var threshold = _transport.Settings.FlushThreshold;
        while (true)
        {
            while (queue.TryRead(out var frame))
            {
                try
                {
                    var span = writer.GetSpan(frame.Length);
                    frame.Buffer.AsSpan(0, frame.Length).CopyTo(span);
                    writer.Advance(frame.Length);
                }
                finally
                {
                    frame.Release();
                    Interlocked.Decrement(ref _queued);
                }
                Interlocked.Increment(ref _sent);
                if (writer.UnflushedBytes >= threshold)
                    await FlushAsync(writer, ct).ConfigureAwait(false);
            }
            // Queue drained: one flush for the whole batch.
            if (writer.UnflushedBytes > 0) await FlushAsync(writer, ct).ConfigureAwait(false);
            if (!await queue.WaitToReadAsync(ct).ConfigureAwait(false)) return;
        }
    }

    private static async ValueTask FlushAsync(PipeWriter writer, CancellationToken ct)
    {
        var r = await writer.FlushAsync(ct).ConfigureAwait(false);
        if (r.IsCompleted) throw new IOException("connection closed");
    }

    private void DrainQueue(DropReason reason)
    {
        while (_queue.Reader.TryRead(out var frame))
        {
            frame.Release();
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            _transport.ReportDropped(new DroppedEnvelope(RemoteAddress, frame.Envelope, reason));
        }
    }
}

/// <summary>The handshake was refused or failed; the message says why in one sentence.</summary>
public sealed class HandshakeFailedException(string message) : Exception(message);
