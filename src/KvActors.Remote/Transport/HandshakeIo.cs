using System.Buffers;
using System.IO.Pipelines;

namespace KvActors.Remote.Transport;

/// <summary>Reads and writes handshake frames on a connection's pipes (the only I/O the handshake needs).</summary>
internal static class HandshakeIo
{
    /// <summary>Before authentication a peer gets only small frames: no 4 MiB allocations for strangers.</summary>
    public const int MaxHandshakeFrame = 16 * 1024;

    public static async ValueTask SendAsync(PipeWriter writer, byte[] body, CancellationToken ct)
    {
        FrameCodec.Write(writer, FrameKind.Handshake, body);
        await writer.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Next handshake frame body, or throws <see cref="ProtocolViolationException"/>.</summary>
    public static async ValueTask<byte[]> ReceiveAsync(PipeReader reader, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = FrameCodec.TryRead(ref buffer, MaxHandshakeFrame, out var kind, out var body, out var error);
            if (status == FrameCodec.ReadStatus.Frame)
            {
                var bytes = body.ToArray();
                reader.AdvanceTo(buffer.Start);
                if (kind != FrameKind.Handshake) throw new ProtocolViolationException("data frame before the handshake completed");
                return bytes;
            }
            if (status == FrameCodec.ReadStatus.Invalid) throw new ProtocolViolationException(error!);
            if (result.IsCompleted) throw new ProtocolViolationException("connection closed during the handshake");
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}

/// <summary>The peer broke the protocol; the connection is closed.</summary>
public sealed class ProtocolViolationException(string message) : Exception(message);
