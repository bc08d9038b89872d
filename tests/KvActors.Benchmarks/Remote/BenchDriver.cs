using KvActors.Actor;
using KvActors.Remote;
using KvActors.Remote.Transport;

namespace KvActors.Benchmarks.Remote;

/// <summary>
/// The driver side: 4 flow-controlled senders (each stops at <see cref="BenchProtocol.Window"/>
/// unacked messages, so no queue grows without bound) and the listener that takes the peer's acks.
/// </summary>
internal sealed class BenchDriver : ITransportListener
{
    private readonly TaskCompletionSource<UniqueAddress> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long[] _sent = new long[BenchProtocol.Senders];
    private readonly long[] _acked = new long[BenchProtocol.Senders];
    private readonly SemaphoreSlim[] _ackSignals = Enumerable.Range(0, BenchProtocol.Senders).Select(_ => new SemaphoreSlim(0)).ToArray();
    private (long Received, long Allocated) _peerTotals;
    private TcpTransport _transport = null!;
    private Address _peer = null!;
    private string[] _sinks = [], _sources = [];

    public Pinger Pinger { get; private set; } = null!;

    public long TotalAcked => Enumerable.Range(0, BenchProtocol.Senders).Sum(i => Volatile.Read(ref _acked[i]));
    public (long Received, long Allocated) PeerTotals { get { lock (_ackSignals) return _peerTotals; } }

    public async Task<UniqueAddress> WaitForPeer(PeerProcess process, TimeSpan timeout)
    {
        var deadline = Task.Delay(timeout);
        while (!_ready.Task.IsCompleted)
        {
            if (process.HasExited) throw new InvalidOperationException("the peer process exited before it was ready.");
            if (deadline.IsCompleted) throw new TimeoutException("the peer process did not report ready in time.");
            await Task.WhenAny(_ready.Task, Task.Delay(100));
        }
        return await _ready.Task;
    }

    public void Attach(TcpTransport transport, UniqueAddress peer)
    {
        _transport = transport;
        _peer = peer.Address;
        var self = transport.LocalAddress.Address;
        _sinks = Enumerable.Range(0, BenchProtocol.Senders).Select(i => BenchProtocol.Path(_peer, BenchProtocol.SinkPrefix + i)).ToArray();
        _sources = Enumerable.Range(0, BenchProtocol.Senders).Select(i => BenchProtocol.Path(self, BenchProtocol.SourcePrefix + i)).ToArray();
        Pinger = new Pinger(transport, _peer, BenchProtocol.Path(_peer, BenchProtocol.EchoPath), BenchProtocol.Path(self, BenchProtocol.PingerPath));
    }

    public async Task SendLoop(int i, CancellationToken ct)
    {
        var payload = new byte[BenchProtocol.PayloadBytes];
        var envelope = new OutboundEnvelope(_sinks[i], _sources[i], payload);
        var sent = _sent[i];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                while (sent - Volatile.Read(ref _acked[i]) >= BenchProtocol.Window)
                    await _ackSignals[i].WaitAsync(ct);
                var r = _transport.Send(_peer, envelope);
                if (r != SendResult.Enqueued) throw new InvalidOperationException($"send failed: {r}");
                sent++;
            }
        }
        catch (OperationCanceledException) { }
        // Round down to what the peer will ack, so the drain below can finish.
        Volatile.Write(ref _sent[i], sent);
        var rest = (int)(BenchProtocol.AckEvery - sent % BenchProtocol.AckEvery) % BenchProtocol.AckEvery;
        for (var k = 0; k < rest; k++) _transport.Send(_peer, envelope);
        Volatile.Write(ref _sent[i], sent + rest);
    }

    public async Task WaitForDrain(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        for (var i = 0; i < BenchProtocol.Senders; i++)
            while (Volatile.Read(ref _acked[i]) < Volatile.Read(ref _sent[i]))
            {
                if (Environment.TickCount64 > deadline) throw new TimeoutException("the peer never acked everything sent.");
                await Task.Delay(10);
            }
    }

    public void OnInbound(in InboundEnvelope envelope)
    {
        var source = BenchProtocol.IndexOf(envelope.Recipient, BenchProtocol.SourcePrefix);
        if (source >= 0)
        {
            var (count, received, allocated) = BenchProtocol.ReadAck((byte[])envelope.Message);
            lock (_ackSignals) _peerTotals = (received, allocated);
            Volatile.Write(ref _acked[source], count);
            _ackSignals[source].Release();
        }
        else if (envelope.Recipient.EndsWith(BenchProtocol.PingerPath, StringComparison.Ordinal)) Pinger.OnReply();
        else if (envelope.Recipient.EndsWith(BenchProtocol.ReadyPath, StringComparison.Ordinal)) _ready.TrySetResult(envelope.From);
    }

    public void OnAssociationEvent(AssociationEvent e) { }

    public void OnDropped(in DroppedEnvelope dropped) =>
        Console.Error.WriteLine($"driver dropped a message to {dropped.Envelope.Recipient}: {dropped.Reason}");
}
