using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using KvActors.Actor;
using KvActors.Remote.Handshake;
using KvActors.Remote.Serialization;
using KvActors.Remote.Transport;
using Microsoft.Extensions.Logging;

namespace KvActors.Remote.Tests;

/// <summary>Records everything a transport reports.</summary>
public sealed class RecordingListener : ITransportListener
{
    public readonly ConcurrentQueue<InboundEnvelope> Inbound = new();
    public readonly ConcurrentQueue<AssociationEvent> Events = new();
    public readonly ConcurrentQueue<DroppedEnvelope> Dropped = new();
    public Action<InboundEnvelope>? OnMessage;

    public void OnInbound(in InboundEnvelope envelope)
    {
        Inbound.Enqueue(envelope);
        OnMessage?.Invoke(envelope);
    }

    public void OnAssociationEvent(AssociationEvent e) => Events.Enqueue(e);
    public void OnDropped(in DroppedEnvelope dropped) => Dropped.Enqueue(dropped);
    public IEnumerable<object> Messages => Inbound.Select(e => e.Message);
}

/// <summary>Captures log lines so tests can count them.</summary>
public sealed class ListLoggerFactory : ILoggerFactory
{
    public readonly ConcurrentQueue<(LogLevel Level, string Text)> Lines = new();
    public ILogger CreateLogger(string categoryName) => new Logger(this);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
    public int Count(Func<string, bool> match) => Lines.Count(l => match(l.Text));
    public int Warnings => Lines.Count(l => l.Level >= LogLevel.Warning);

    private sealed class Logger(ListLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue((logLevel, formatter(state, exception)));
    }
}

public static class Wait
{
    /// <summary>Polls a condition until it holds or the deadline passes (then fails with <paramref name="what"/>).</summary>
    public static async Task Until(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(5);
        }
    }
}

/// <summary>A transport plus its listener and log, disposed together.</summary>
public sealed class Node : IAsyncDisposable
{
    public readonly RecordingListener Listener = new();
    public readonly ListLoggerFactory Log = new();
    public readonly TcpTransport Transport;

    public Node(string system = "test", RemoteSettings? settings = null, SerializerRegistry? registry = null)
    {
        Transport = new TcpTransport(system, settings ?? Fast(), registry ?? SerializerRegistry.CreateDefault(), Listener, Log);
        Transport.Start();
    }

    public static RemoteSettings Fast(string secret = "s3cret", int port = 0) => new()
    {
        Port = port,
        Secret = secret,
        BackoffMin = TimeSpan.FromMilliseconds(20),
        BackoffMax = TimeSpan.FromMilliseconds(200),
        HandshakeTimeout = TimeSpan.FromSeconds(3),
        ConnectTimeout = TimeSpan.FromSeconds(3),
    };

    public Address Address => Transport.LocalAddress.Address;
    public int Port => Address.Port!.Value;
    public SendResult Send(Node to, object message, string recipient = "/user/echo", string? sender = "/user/me") =>
        Transport.Send(to.Address, new OutboundEnvelope(recipient, sender, message));

    /// <summary>Sends until one message arrives at <paramref name="to"/> (association may be gated or connecting).</summary>
    public async Task SendUntilReceived(Node to, object message, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!to.Listener.Messages.Contains(message))
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"{message} never reached {to.Address}");
            Send(to, message);
            await Task.Delay(10);
        }
    }

    public ValueTask DisposeAsync() => Transport.DisposeAsync();
}

/// <summary>A hand-driven client: raw socket, optional real handshake, then raw bytes.</summary>
public sealed class RawPeer : IDisposable
{
    public readonly Socket Socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    public NetworkStream Stream = null!;

    public static async Task<RawPeer> ConnectAsync(int port)
    {
        var p = new RawPeer();
        await p.Socket.ConnectAsync("127.0.0.1", port);
        p.Stream = new NetworkStream(p.Socket, ownsSocket: false);
        return p;
    }

    public static byte[] Frame(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var w = new System.Buffers.ArrayBufferWriter<byte>();
        FrameCodec.Write(w, kind, body);
        return w.WrittenSpan.ToArray();
    }

    public Task Write(byte[] bytes) => Stream.WriteAsync(bytes).AsTask();

    public async Task<byte[]?> ReadFrame(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var header = new byte[5];
        if (!await ReadExactly(header, cts.Token)) return null;
        var len = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header);
        var body = new byte[len - 1];
        if (!await ReadExactly(body, cts.Token)) return null;
        return body;
    }

    private async Task<bool> ReadExactly(byte[] buf, CancellationToken ct)
    {
        var read = 0;
        while (read < buf.Length)
        {
            var n = await Stream.ReadAsync(buf.AsMemory(read), ct);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    /// <summary>Performs a real initiator handshake; returns the outcome.</summary>
    public async Task<HandshakeStep> Handshake(Address target, string secret, UniqueAddress? self = null, List<byte[]>? record = null)
    {
        var cfg = new HandshakeConfig(self ?? new UniqueAddress(Address.Tcp("test", "127.0.0.1", 1), UniqueAddress.NewUid()), secret, RandomNumberGenerator.Create());
        var hs = new HandshakeInitiator(cfg, target);
        var hello = hs.Start();
        record?.Add(hello);
        await Write(Frame(FrameKind.Handshake, hello));
        while (true)
        {
            var f = await ReadFrame();
            if (f is null) return new HandshakeStep(HandshakeOutcome.Failed, null, null, "closed");
            var step = hs.Receive(f);
            if (step.Reply is not null)
            {
                record?.Add(step.Reply);
                await Write(Frame(FrameKind.Handshake, step.Reply));
            }
            if (step.Outcome != HandshakeOutcome.Continue) return step;
        }
    }

    /// <summary>True once the server has closed the connection (read returns 0 or resets).</summary>
    public async Task<bool> ClosedByPeer(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buf = new byte[4096];
        try
        {
            while (true)
                if (await Stream.ReadAsync(buf, cts.Token) == 0) return true;
        }
        catch (IOException) { return true; }
        catch (OperationCanceledException) { return false; }
    }

    public void Dispose()
    {
        Stream?.Dispose();
        Socket.Dispose();
    }
}
