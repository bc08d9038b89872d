using System.Buffers.Binary;
using KvActors.Actor;

namespace KvActors.Benchmarks.Remote;

/// <summary>
/// What the two benchmark processes agree on: system names, actor paths (full paths, as the
/// actor layer will send them, so the envelope sizes are realistic) and the ack layout.
/// </summary>
internal static class BenchProtocol
{
    public const string DriverSystem = "bench-driver";
    public const string PeerSystem = "bench-peer";
    public const int Senders = 4;
    public const int PayloadBytes = 100;
    /// <summary>The peer acks each sink's count every this many messages.</summary>
    public const int AckEvery = 1000;
    /// <summary>A sender never has more than this many messages unacked (flow control).</summary>
    public const int Window = 20 * AckEvery;

    public const string ReadyPath = "/user/ready";
    public const string SinkPrefix = "/user/sink-";
    public const string SourcePrefix = "/user/source-";
    public const string EchoPath = "/user/echo";
    public const string PingerPath = "/user/pinger";

    public static string Path(Address system, string path) => system + path;

    /// <summary>Ack body: the sink's count, the peer's total received and total allocated bytes.</summary>
    public static byte[] Ack(long sinkCount, long received, long allocated)
    {
        var b = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(b, sinkCount);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8), received);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16), allocated);
        return b;
    }

    public static (long SinkCount, long Received, long Allocated) ReadAck(byte[] b) =>
        (BinaryPrimitives.ReadInt64LittleEndian(b), BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(8)),
            BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(16)));

    /// <summary>Index of a numbered path like /user/sink-3 (0..9), or -1.</summary>
    public static int IndexOf(string recipient, string prefix)
    {
        var at = recipient.Length - prefix.Length - 1;
        if (at < 0 || string.CompareOrdinal(recipient, at, prefix, 0, prefix.Length) != 0) return -1;
        var c = recipient[^1] - '0';
        return c is >= 0 and <= 9 ? c : -1;
    }
}
