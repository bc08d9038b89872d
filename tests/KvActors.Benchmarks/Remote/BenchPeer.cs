using KvActors.Actor;
using KvActors.Remote;
using KvActors.Remote.Serialization;
using KvActors.Remote.Transport;

namespace KvActors.Benchmarks.Remote;

/// <summary>
/// The child process: counts what arrives at the sinks and acks every N per sink (the driver's
/// flow control), echoes pings. It lives until its stdin closes, so it cannot outlive a driver
/// that died without killing it.
/// </summary>
internal sealed class BenchPeer : ITransportListener
{
    private readonly Address _driver;
    private readonly long[] _counts = new long[BenchProtocol.Senders];
    private TcpTransport _transport = null!;
    private long _received;

    private BenchPeer(Address driver) => _driver = driver;

    public static async Task<int> RunAsync(int driverPort)
    {
        var peer = new BenchPeer(Address.Tcp(BenchProtocol.DriverSystem, "127.0.0.1", driverPort));
        await using var transport = new TcpTransport(BenchProtocol.PeerSystem, new RemoteSettings(), SerializerRegistry.CreateDefault(), peer);
        peer._transport = transport;
        transport.Start();
        transport.Send(peer._driver, new OutboundEnvelope(BenchProtocol.Path(peer._driver, BenchProtocol.ReadyPath), null, "ready"));
        // Blocks until the driver closes our stdin (normal end) or dies (the pipe breaks).
        await Task.Run(() => Console.In.ReadToEnd());
        return 0;
    }

    public void OnInbound(in InboundEnvelope envelope)
    {
        var received = ++_received; // one inbound connection: calls are sequential
        var sink = BenchProtocol.IndexOf(envelope.Recipient, BenchProtocol.SinkPrefix);
        if (sink >= 0)
        {
            var n = ++_counts[sink];
            if (n % BenchProtocol.AckEvery == 0)
                _transport.Send(envelope.From.Address, new OutboundEnvelope(envelope.Sender!, null,
                    BenchProtocol.Ack(n, received, GC.GetTotalAllocatedBytes(precise: false))));
            return;
        }
        if (envelope.Recipient.EndsWith(BenchProtocol.EchoPath, StringComparison.Ordinal))
            _transport.Send(envelope.From.Address, new OutboundEnvelope(envelope.Sender!, envelope.Recipient, envelope.Message));
    }

    public void OnAssociationEvent(AssociationEvent e) { }

    public void OnDropped(in DroppedEnvelope dropped) =>
        Console.Error.WriteLine($"peer dropped a message to {dropped.Envelope.Recipient}: {dropped.Reason}");
}
