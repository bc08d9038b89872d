using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using FluentAssertions;
using Google.Protobuf;
using KvActors.Store.Configuration;
using KvActors.Store.Remoting;
using KvActors.Store.Security;
using KvActors.Store.Tests.Configuration;
using Xunit;

namespace KvActors.Store.Tests.Remoting;

/// <summary>
/// KvActors' socket transport (<see cref="SocketTransport"/>) against Akka's DotNetty one, over plain TCP and TLS, against
/// bad frames, and against a peer that stops reading.
/// </summary>
public sealed class SocketTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly List<ActorSystem> _systems = [];
    private readonly ConfigFolder _folder = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var system in _systems)
            await system.Terminate().WaitAsync(Deadline);
        _folder.Dispose();
    }

    private ActorSystem Start(string name, bool dotNetty = false, ClusterCertificate? certificate = null)
    {
        var config = ConfigurationFactory.ParseString($"""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
            akka.remote.dot-netty.tcp.port = 0
            akka.loglevel = WARNING
            {(dotNetty ? "akka.remote.enabled-transports = [\"akka.remote.dot-netty.tcp\"]" : "")}
            {(certificate is null ? "" : ClusterCertificate.EnableSslHocon)}
            """).WithFallback(KvConfig.Reference);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var system = ActorSystem.Create(name, certificate is null ? ActorSystemSetup.Create(setup) : setup.And(certificate.SslSetup()));
        _systems.Add(system);
        return system;
    }

    private ClusterCertificate NewCertificate(string name)
    {
        var path = Path.Combine(_folder.Path, name + ".pfx");
        File.WriteAllBytes(path, ClusterCertificate.Create(name, TimeSpan.FromDays(1), null));
        return ClusterCertificate.Load(path, $"KVACTORS_TEST_UNSET_{Guid.NewGuid():N}");
    }

    private static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    private static async Task<byte[]> EchoThrough(ActorSystem from, ActorSystem to, byte[] payload)
    {
        var echo = await from.ActorSelection(new RootActorPath(AddressOf(to)) / "user" / "echo").ResolveOne(Deadline);
        return await echo.Ask<byte[]>(payload, Deadline);
    }

    private static void StartEcho(ActorSystem system) =>
        system.ActorOf(Props.Create(() => new EchoActor()), "echo");

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public async Task Messages_of_every_size_cross_between_either_transport(bool callerOnDotNetty, bool echoOnDotNetty)
    {
        var caller = Start("caller", callerOnDotNetty);
        var echoing = Start("echoing", echoOnDotNetty);
        StartEcho(echoing);
        foreach (var size in new[] { 1, 100, 200_000, 3_000_000 })
        {
            var payload = new byte[size];
            Random.Shared.NextBytes(payload);
            (await EchoThrough(caller, echoing, payload)).Should().Equal(payload, $"a {size}-byte message goes there and back");
        }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public async Task Over_TLS_messages_cross_between_either_transport_and_a_stranger_is_refused(bool callerOnDotNetty, bool echoOnDotNetty)
    {
        var certificate = NewCertificate("cluster");
        var caller = Start("caller", callerOnDotNetty, certificate);
        var echoing = Start("echoing", echoOnDotNetty, certificate);
        StartEcho(echoing);
        AddressOf(echoing).Protocol.Should().Be("akka.ssl.tcp");
        foreach (var size in new[] { 1, 200_000, 3_000_000 })
        {
            var payload = new byte[size];
            Random.Shared.NextBytes(payload);
            (await EchoThrough(caller, echoing, payload)).Should().Equal(payload, $"a {size}-byte message goes there and back over TLS");
        }

        var stranger = Start("stranger", certificate: NewCertificate("stranger"));
        var resolve = () => stranger.ActorSelection(new RootActorPath(AddressOf(echoing)) / "user" / "echo").ResolveOne(TimeSpan.FromSeconds(3));
        await resolve.Should().ThrowAsync<ActorNotFoundException>("a peer with another certificate fails the handshake");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })] // a length over the largest frame
    [InlineData(new byte[] { 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5 })] // a frame that is no Akka message
    public async Task A_bad_frame_closes_its_connection_and_the_node_goes_on(byte[] bad)
    {
        var node = Start("node");
        StartEcho(node);
        using var raw = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync(IPAddress.Loopback, AddressOf(node).Port!.Value);
        await raw.SendAsync(bad, SocketFlags.None);
        var buffer = new byte[1024];
        using var deadline = new CancellationTokenSource(Deadline);
        while (await raw.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
        {
            // whatever it answers first, the connection ends
        }
        var peer = Start("peer");
        (await EchoThrough(peer, node, [42])).Should().Equal([42]);
    }

    [Fact]
    public async Task Writes_to_a_peer_that_stops_reading_are_refused_beyond_the_limit_and_never_block()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var writer = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await writer.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        using var reader = await listener.AcceptAsync();
        var address = new Address("tcp", "test", "127.0.0.1", 1);
        const int limit = 1 << 20;
        var association = new SocketAssociation(address, address, writer, tls: null, 4 << 20, limit, NoLogger.Instance, _ => { });
        var frame = ByteString.CopyFrom(new byte[64 << 10]);

        // Nobody reads: the socket buffers fill, then the queue, then writes are refused; none of it may block.
        var accepted = await Task.Run(() =>
        {
            var count = 0;
            while (association.Write(frame))
                if (++count > 100_000) break;
            return count;
        }).WaitAsync(Deadline);
        accepted.Should().BeLessThan(100_000, "writes are refused once the queue passes its limit");
        association.Write(frame).Should().BeFalse();

        // The peer reads again: everything accepted arrives, and writes are taken again.
        var expected = (long)accepted * (frame.Length + 4);
        var received = 0L;
        var buffer = new byte[1 << 20];
        using var deadline = new CancellationTokenSource(Deadline);
        while (received < expected)
            received += await reader.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
        received.Should().Be(expected);
        association.Write(frame).Should().BeTrue();
        association.Close();
    }

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => Receive<byte[]>(bytes => Sender.Tell(bytes));
    }
}
