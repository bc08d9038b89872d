using KvActors.Actor;
using KvActors.Remote.Transport;

namespace KvActors.Remote.Tests;

public class TransportTests
{
    [Fact]
    public async Task Two_transports_exchange_envelopes_both_ways_with_sender_and_recipient()
    {
        await using var a = new Node();
        await using var b = new Node();
        a.Send(b, "ping", "/user/b", "/user/a").Should().Be(SendResult.Enqueued);
        await Wait.Until(() => b.Listener.Inbound.Count == 1, "ping at b");
        var got = b.Listener.Inbound.Single();
        got.Message.Should().Be("ping");
        got.Recipient.Should().Be("/user/b");
        got.Sender.Should().Be("/user/a");
        got.From.Should().Be(a.Transport.LocalAddress);

        // Reply over b's own outbound association to the address a advertised.
        b.Transport.Send(got.From, new OutboundEnvelope("/user/a", null, 42)).Should().Be(SendResult.Enqueued);
        await Wait.Until(() => a.Listener.Inbound.Count == 1, "reply at a");
        a.Listener.Inbound.Single().Message.Should().Be(42);
        a.Listener.Inbound.Single().Sender.Should().BeNull();

        a.Listener.Events.Should().Contain(e => e.Kind == AssociationEventKind.Associated && e.Remote == b.Transport.LocalAddress);
        b.Listener.Events.Should().Contain(e => e.Kind == AssociationEventKind.Associated && e.Remote == a.Transport.LocalAddress && e.Inbound);
    }

    [Fact]
    public async Task Ordering_per_association_is_kept()
    {
        await using var a = new Node();
        await using var b = new Node();
        const int n = 20_000;
        for (var i = 0; i < n; i++) a.Send(b, i).Should().Be(SendResult.Enqueued);
        await Wait.Until(() => b.Listener.Inbound.Count == n, "all messages");
        b.Listener.Messages.Cast<int>().Should().Equal(Enumerable.Range(0, n));
    }

    [Fact]
    public async Task Envelope_near_the_frame_limit_passes_and_one_over_is_refused_at_the_sender()
    {
        var settings = Node.Fast() with { MaximumFrameSize = 64 * 1024 };
        await using var a = new Node(settings: settings);
        await using var b = new Node(settings: settings);
        var big = new byte[64 * 1024 - 100];
        Random.Shared.NextBytes(big);
        a.Send(b, big, "/u", null).Should().Be(SendResult.Enqueued);
        await Wait.Until(() => b.Listener.Inbound.Count == 1, "big message");
        ((byte[])b.Listener.Inbound.Single().Message).Should().Equal(big);

        a.Send(b, new byte[64 * 1024], "/u", null).Should().Be(SendResult.TooLarge);
        a.Log.Lines.Should().Contain(l => l.Text.Contains("maximum frame size") && l.Text.Contains("65536"));
        a.Listener.Dropped.Should().ContainSingle(d => d.Reason == DropReason.TooLarge);
        a.Send(b, "after", "/u", null).Should().Be(SendResult.Enqueued);
        await Wait.Until(() => b.Listener.Inbound.Count == 2, "the association still works");
    }

    [Fact]
    public async Task Reconnects_to_a_restarted_peer_on_the_same_port_as_a_new_incarnation()
    {
        await using var a = new Node();
        var b1 = new Node();
        var port = b1.Port;
        var oldB = b1.Transport.LocalAddress;
        await a.SendUntilReceived(b1, "one");
        await b1.DisposeAsync();
        await Wait.Until(() => a.Listener.Events.Any(e => e.Kind == AssociationEventKind.Disassociated), "a notices the loss");

        await using var b2 = new Node(settings: Node.Fast(port: port));
        b2.Transport.LocalAddress.Uid.Should().NotBe(oldB.Uid);
        b2.Address.Should().Be(oldB.Address);
        await a.SendUntilReceived(b2, "two");

        a.Listener.Events.Should().Contain(e => e.Kind == AssociationEventKind.IncarnationReplaced
                                                && e.Previous == oldB && e.Remote == b2.Transport.LocalAddress);
        a.Transport.KnownUid(b2.Address).Should().Be(b2.Transport.LocalAddress.Uid);
        // Messages addressed to the old incarnation are dropped, not delivered to the new one.
        a.Transport.Send(oldB, new OutboundEnvelope("/u", null, "stale")).Should().Be(SendResult.StaleIncarnation);
        a.Listener.Dropped.Should().Contain(d => d.Reason == DropReason.Gated || d.Reason == DropReason.StaleIncarnation);
    }

    [Fact]
    public async Task Wrong_secret_is_refused_at_the_handshake_and_logged_once_per_peer()
    {
        await using var a = new Node(settings: Node.Fast(secret: "wrong"));
        await using var b = new Node(settings: Node.Fast(secret: "right"));
        // Keep sending: each attempt after the backoff gate is refused again.
        await Wait.Until(() =>
        {
            a.Send(b, "x");
            return a.Listener.Events.Count(e => e.Kind == AssociationEventKind.HandshakeFailed) >= 5;
        }, "five refused attempts");
        b.Listener.Inbound.Should().BeEmpty();
        a.Log.Count(t => t.Contains("refused at the handshake") && t.Contains("secret")).Should().Be(1);
        b.Log.Count(t => t.Contains("Refused association")).Should().BeLessThanOrEqualTo(1);
        // b keeps serving good peers.
        await using var c = new Node(settings: Node.Fast(secret: "right"));
        await c.SendUntilReceived(b, "good");
    }

    [Fact]
    public async Task Non_loopback_bind_without_secret_refuses_to_start()
    {
        var t = new TcpTransport("s", RemoteSettings.Default with { Hostname = "0.0.0.0" }, Serialization.SerializerRegistry.CreateDefault(), new RecordingListener());
        t.Invoking(x => x.Start()).Should().Throw<InvalidOperationException>().WithMessage("Refusing to bind*secret*");
        await t.DisposeAsync();
    }

    [Fact]
    public async Task Quarantine_closes_the_association_refuses_the_uid_and_drops_messages()
    {
        await using var a = new Node();
        await using var b = new Node();
        await a.SendUntilReceived(b, "before");
        var bUid = b.Transport.LocalAddress;
        a.Transport.Quarantine(bUid, "test");
        a.Listener.Events.Should().Contain(e => e.Kind == AssociationEventKind.Quarantined && e.Remote == bUid);
        a.Send(b, "after").Should().BeOneOf(SendResult.Quarantined, SendResult.Gated);
        a.Transport.Send(bUid, new OutboundEnvelope("/u", null, "after2")).Should().Be(SendResult.Quarantined);

        // b dialing a is refused too (a refuses the quarantined uid at the handshake).
        b.Send(a, "from b");
        await Wait.Until(() => b.Listener.Events.Any(e => e.Kind == AssociationEventKind.HandshakeFailed), "b refused");
        b.Listener.Events.First(e => e.Kind == AssociationEventKind.HandshakeFailed).Reason.Should().Contain("quarantined");
        a.Listener.Inbound.Should().BeEmpty();
        b.Listener.Messages.Should().NotContain("after");
    }

    [Fact]
    public async Task Messages_to_an_unreachable_address_are_dropped_to_the_callback()
    {
        await using var a = new Node();
        int port;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { l.Start(); port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; }
        var nowhere = Address.Tcp("test", "127.0.0.1", port);
        a.Transport.Send(nowhere, new OutboundEnvelope("/u", null, "lost")).Should().Be(SendResult.Enqueued);
        await Wait.Until(() => a.Listener.Dropped.Any(d => d.Envelope.Message is "lost"), "queued message dropped when the connect fails");
        await Wait.Until(() => a.Transport.Associate(nowhere).State == AssociationState.Gated
                               || a.Transport.Send(nowhere, new OutboundEnvelope("/u", null, "x")) == SendResult.Gated, "gated");
        a.Transport.DroppedOutboundCount.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Unknown_serializer_id_is_dropped_with_one_log_line_and_the_connection_stays()
    {
        var registry = Serialization.SerializerRegistry.CreateDefault();
        registry.Register(new SerializationTestsGuid());
        await using var a = new Node(registry: registry);
        await using var b = new Node(); // does not know serializer 100
        for (var i = 0; i < 3; i++) a.Send(b, Guid.NewGuid());
        a.Send(b, "marker");
        await Wait.Until(() => b.Listener.Messages.Contains("marker"), "marker after unknown ones");
        b.Listener.Inbound.Should().ContainSingle();
        b.Log.Count(t => t.Contains("unknown serializer id 100")).Should().Be(1);
        b.Transport.DroppedInboundCount.Should().Be(3);
    }

    private sealed class SerializationTestsGuid : Serialization.ISerializer
    {
        public int Id => 100;
        public bool CanSerialize(Type type) => type == typeof(Guid);
        public string ToBinary(object message, System.Buffers.IBufferWriter<byte> writer) { System.Buffers.BuffersExtensions.Write(writer, ((Guid)message).ToByteArray()); return "G"; }
        public object FromBinary(ReadOnlySpan<byte> bytes, string manifest) => new Guid(bytes);
    }
}
