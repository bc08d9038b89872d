using System.IO.Pipelines;
using System.Net.Sockets;
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
/// Send encodes on the caller's thread and appends the frame to the queue's filling batch; one
/// writer loop swaps the batch out and writes it with one socket write, so every envelope that
/// arrived during the previous write shares the next syscall.
/// </summary>
public sealed class Association
{
    private readonly TcpTransport _transport;
    private readonly OutboundQueue _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _log;
    private int _state = (int)AssociationState.Idle;
    private volatile UniqueAddress? _remote;
    private volatile bool _remoteQuarantined;
    private Socket? _socket;
    private long _dropped, _sent;
    private Task _loop = Task.CompletedTask;

    internal Association(TcpTransport transport, Address remoteAddress, ILogger log)
    {
        _transport = transport;
        _queue = new OutboundQueue(transport.Settings.OutboundQueueSize);
        RemoteAddress = remoteAddress;
        _log = log;
    }

    public Address RemoteAddress { get; }
    /// <summary>The peer incarnation of the current (or last) outbound connection, null before the first handshake.</summary>
    public UniqueAddress? Remote => _remote;
    public AssociationState State => (AssociationState)Volatile.Read(ref _state);
    public int QueuedCount => _queue.Count;
    public long DroppedCount => Interlocked.Read(ref _dropped);
    /// <summary>Envelopes handed to the socket (not necessarily received).</summary>
    public long SentCount => Interlocked.Read(ref _sent);

    internal void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Encodes and queues one envelope; see <see cref="SendResult"/> for what else can happen.</summary>
    public SendResult Send(in OutboundEnvelope envelope)
    {
        if (_stop.IsCancellationRequested) return Drop(envelope, DropReason.ShutDown, SendResult.ShutDown);
        // Only while the quarantined incarnation is still the one known at this address: once a
        // new incarnation has shown up (e.g. connected to us), sending reconnects and the handshake decides.
        if (_remoteQuarantined && _transport.KnownUid(RemoteAddress) == _remote?.Uid)
            return Drop(envelope, DropReason.Quarantined, SendResult.Quarantined);
        if (State == AssociationState.Gated) return Drop(envelope, DropReason.Gated, SendResult.Gated);
        // Cheap early refusal; the queue re-checks the bound under its lock.
        if (_queue.Count >= _transport.Settings.OutboundQueueSize) return Drop(envelope, DropReason.QueueFull, SendResult.QueueFull);
        var r = EnvelopeCodec.EncodeToScratch(envelope, _transport.Serializers, _transport.Settings.MaximumFrameSize, out var frame, out var error);
        if (r != EnvelopeCodec.Result.Ok)
        {
            _log.LogError("Not sending to {Address}: {Error}.", RemoteAddress, error);
            return r == EnvelopeCodec.Result.TooLarge
                ? Drop(envelope, DropReason.TooLarge, SendResult.TooLarge)
                : Drop(envelope, DropReason.SerializationFailed, SendResult.SerializationFailed);
        }
        return _queue.TryEnqueue(frame, envelope) switch
        {
            OutboundQueue.EnqueueResult.Enqueued => SendResult.Enqueued,
            OutboundQueue.EnqueueResult.Full => Drop(envelope, DropReason.QueueFull, SendResult.QueueFull),
            _ => Drop(envelope, DropReason.ShutDown, SendResult.ShutDown),
        };
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
        _queue.Complete();
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
                if (!await _queue.WaitAsync(ct).ConfigureAwait(false)) return;
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
                await PumpAsync(reader, stream, ct).ConfigureAwait(false);
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
    private async Task PumpAsync(PipeReader reader, Stream stream, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watch = WatchForCloseAsync(reader, linked.Token);
        var write = WriteLoopAsync(stream, linked.Token);
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

    /// <summary>
    /// Writes whatever accumulated while the previous write was in flight, as one socket write
    /// straight from the batch buffer (the handshake's PipeWriter is flushed and idle by now).
    /// </summary>
    private async Task WriteLoopAsync(Stream stream, CancellationToken ct)
    {
        while (true)
        {
            var batch = _queue.TryTake();
            if (batch is null)
            {
                if (!await _queue.WaitAsync(ct).ConfigureAwait(false)) return;
                continue;
            }
            try
            {
                await stream.WriteAsync(batch.Bytes, ct).ConfigureAwait(false);
                Interlocked.Add(ref _sent, batch.Count);
            }
            finally { _queue.Return(batch); }
        }
    }

    private void DrainQueue(DropReason reason)
    {
        var dropped = new List<OutboundEnvelope>();
        _queue.DrainTo(dropped);
        foreach (var envelope in dropped)
        {
            Interlocked.Increment(ref _dropped);
            _transport.ReportDropped(new DroppedEnvelope(RemoteAddress, envelope, reason));
        }
    }
}

/// <summary>The handshake was refused or failed; the message says why in one sentence.</summary>
public sealed class HandshakeFailedException(string message) : Exception(message);
