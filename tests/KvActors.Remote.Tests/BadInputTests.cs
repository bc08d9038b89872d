using Google.Protobuf;
using System.Buffers.Binary;
using KvActors.Remote.Handshake;
using KvActors.Remote.Protocol;
using KvActors.Remote.Transport;

namespace KvActors.Remote.Tests;

/// <summary>Hostile or broken peers: each closes only its own connection, with one log line.</summary>
public class BadInputTests
{
    private static async Task AssertStillServes(Node server)
    {
        await using var good = new Node();
        var marker = "alive-" + Guid.NewGuid();
        await good.SendUntilReceived(server, marker);
    }

    private static async Task ExpectClosedWithOneLogLine(Node server, RawPeer peer, string logFragment)
    {
        (await peer.ClosedByPeer()).Should().BeTrue("the bad connection is closed");
        await Wait.Until(() => server.Log.Count(t => t.Contains(logFragment)) >= 1, "log line: " + logFragment);
        server.Log.Count(t => t.Contains(logFragment)).Should().Be(1);
    }

    [Fact]
    public async Task Random_bytes_before_the_handshake()
    {
        await using var server = new Node();
        using var peer = await RawPeer.ConnectAsync(server.Port);
        var junk = new byte[1000];
        new Random(3).NextBytes(junk);
        junk[0] = 0x7F; // huge length
        await peer.Write(junk);
        await ExpectClosedWithOneLogLine(server, peer, "outside 1..");
        await AssertStillServes(server);
    }

    [Fact]
    public async Task Truncated_frame_then_close()
    {
        await using var server = new Node();
        using (var peer = await HandshakePeer(server))
        {
            var frame = EnvelopeFrame("/user/x", "hello");
            await peer.Write(frame[..(frame.Length / 2)]);
            peer.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await Wait.Until(() => server.Log.Count(t => t.Contains("in the middle of a frame")) == 1, "truncation logged");
        }
        await AssertStillServes(server);
    }

    [Fact]
    public async Task Frame_over_the_limit_after_the_handshake()
    {
        await using var server = new Node(settings: Node.Fast() with { MaximumFrameSize = 8192 });
        using var peer = await HandshakePeer(server);
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header, 8193);
        header[4] = 1;
        await peer.Write(header);
        await ExpectClosedWithOneLogLine(server, peer, "frame length 8193 outside 1..8192");
        await AssertStillServes(server);
    }

    [Fact]
    public async Task Valid_frame_with_a_garbage_payload()
    {
        await using var server = new Node();
        using var peer = await HandshakePeer(server);
        await peer.Write(RawPeer.Frame(FrameKind.Envelope, new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0x01, 0x02 }));
        await ExpectClosedWithOneLogLine(server, peer, "malformed envelope");
        server.Listener.Inbound.Should().BeEmpty();
        await AssertStillServes(server);
    }

    [Fact]
    public async Task Data_before_the_handshake_is_refused()
    {
        await using var server = new Node();
        using var peer = await RawPeer.ConnectAsync(server.Port);
        await peer.Write(EnvelopeFrame("/user/x", "sneaky"));
        await ExpectClosedWithOneLogLine(server, peer, "data frame before the handshake");
        server.Listener.Inbound.Should().BeEmpty();
    }

    [Fact]
    public async Task Wrong_secret_handshake_is_refused_and_logged_once_per_peer_address()
    {
        await using var server = new Node();
        var self = new UniqueAddress(KvActors.Actor.Address.Tcp("test", "127.0.0.1", 9), 77);
        for (var i = 0; i < 3; i++)
        {
            using var peer = await RawPeer.ConnectAsync(server.Port);
            // The raw initiator aborts when the server's proof fails; the server sees the connection end.
            var step = await peer.Handshake(server.Address, "wrong", self);
            step.Outcome.Should().Be(HandshakeOutcome.Failed);
        }
        server.Listener.Inbound.Should().BeEmpty();
        server.Listener.Events.Should().NotContain(e => e.Kind == AssociationEventKind.Associated);
        await AssertStillServes(server);
    }

    [Fact]
    public async Task Replayed_handshake_is_refused()
    {
        await using var server = new Node();
        var recorded = new List<byte[]>();
        using (var original = await RawPeer.ConnectAsync(server.Port))
            (await original.Handshake(server.Address, "s3cret", record: recorded)).Outcome.Should().Be(HandshakeOutcome.Established);
        recorded.Should().HaveCount(2);

        using var replay = await RawPeer.ConnectAsync(server.Port);
        await replay.Write(RawPeer.Frame(FrameKind.Handshake, recorded[0]));
        (await replay.ReadFrame()).Should().NotBeNull("a fresh challenge");
        await replay.Write(RawPeer.Frame(FrameKind.Handshake, recorded[1]));
        var answer = HandshakeMessage.Parser.ParseFrom(await replay.ReadFrame());
        answer.KindCase.Should().Be(HandshakeMessage.KindOneofCase.Reject);
        (await replay.ClosedByPeer()).Should().BeTrue();
        server.Log.Count(t => t.Contains("Refused association") && t.Contains("secret")).Should().Be(1);
        await AssertStillServes(server);
    }

    [Fact]
    public async Task Fuzz_random_and_mutated_frames_then_still_serves()
    {
        await using var server = new Node();
        var rnd = new Random(12345);
        var valid = EnvelopeFrame("/user/fuzz", "payload");
        // At least 3 s and 3000 frames, hard-capped at 20 s so a slow machine cannot hang the run.
        var start = Environment.TickCount64;
        var frames = 0;
        var connections = 0;
        while ((Environment.TickCount64 - start < 3000 || frames < 3000) && Environment.TickCount64 - start < 20_000)
        {
            var authenticated = rnd.Next(3) == 0;
            using var peer = authenticated ? await HandshakePeer(server) : await RawPeer.ConnectAsync(server.Port);
            connections++;
            var burst = rnd.Next(1, 20);
            try
            {
                for (var i = 0; i < burst; i++, frames++)
                    await peer.Write(Mutate(rnd, rnd.Next(2) == 0 ? valid : RawPeer.Frame(FrameKind.Handshake, new HandshakeInitiatorHello().Bytes)));
            }
            catch (IOException) { /* the server already closed us: expected */ }
        }
        frames.Should().BeGreaterThanOrEqualTo(3000);
        connections.Should().BeGreaterThan(100);
        await AssertStillServes(server);
        // Nothing crashed: the accept loop and the transport are intact and no handler threw.
        server.Log.Lines.Should().NotContain(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    private static byte[] Mutate(Random rnd, byte[] frame)
    {
        switch (rnd.Next(5))
        {
            case 0: // pure noise
                var noise = new byte[rnd.Next(1, 300)];
                rnd.NextBytes(noise);
                return noise;
            case 1: // flip some bytes
                var f = (byte[])frame.Clone();
                for (var i = rnd.Next(1, 5); i > 0; i--) f[rnd.Next(f.Length)] ^= (byte)rnd.Next(1, 256);
                return f;
            case 2: // truncate
                return frame[..rnd.Next(1, frame.Length)];
            case 3: // corrupt body, keep header
                var g = (byte[])frame.Clone();
                for (var i = 5; i < g.Length; i++) if (rnd.Next(4) == 0) g[i] = (byte)rnd.Next(256);
                return g;
            default: // intact
                return frame;
        }
    }

    private static byte[] EnvelopeFrame(string recipient, string text)
    {
        var env = new RemoteEnvelope { Recipient = recipient, SerializerId = 1, Manifest = "S", Payload = Google.Protobuf.ByteString.CopyFromUtf8(text) };
        return RawPeer.Frame(FrameKind.Envelope, env.ToByteArray());
    }

    private static async Task<RawPeer> HandshakePeer(Node server)
    {
        var peer = await RawPeer.ConnectAsync(server.Port);
        (await peer.Handshake(server.Address, "s3cret")).Outcome.Should().Be(HandshakeOutcome.Established);
        return peer;
    }

    private sealed class HandshakeInitiatorHello
    {
        public byte[] Bytes { get; } = new HandshakeInitiator(
            new HandshakeConfig(new UniqueAddress(KvActors.Actor.Address.Tcp("test", "127.0.0.1", 1), 5), "x", System.Security.Cryptography.RandomNumberGenerator.Create()),
            KvActors.Actor.Address.Tcp("test", "127.0.0.1", 2)).Start();
    }
}
