using System.Buffers;
using KvActors.Remote.Transport;

namespace KvActors.Remote.Tests;

/// <summary>The read loop's span frame reader must decide exactly like the sequence reader.</summary>
public class FrameCodecTests
{
    [Fact]
    public void Span_and_sequence_readers_agree_on_random_and_valid_buffers()
    {
        var rnd = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            if (rnd.Next(2) == 0)
            {
                bytes = new byte[rnd.Next(0, 40)];
                rnd.NextBytes(bytes);
                if (bytes.Length >= 4 && rnd.Next(2) == 0) { bytes[0] = bytes[1] = 0; bytes[2] = 0; } // small lengths
                if (bytes.Length >= 5 && rnd.Next(2) == 0) bytes[4] = (byte)rnd.Next(0, 4);
            }
            else
            {
                var body = new byte[rnd.Next(0, 30)];
                rnd.NextBytes(body);
                var frame = RawPeer.Frame(rnd.Next(2) == 0 ? FrameKind.Envelope : FrameKind.Handshake, body);
                bytes = frame[..rnd.Next(0, frame.Length + 1)];
            }
            var max = rnd.Next(2) == 0 ? 16 : 1 << 20;

            var seq = new ReadOnlySequence<byte>(bytes);
            var s1 = FrameCodec.TryRead(ref seq, max, out var k1, out var b1, out var e1);
            var s2 = FrameCodec.TryRead(bytes, max, out var k2, out var b2, out var consumed, out var e2);
            s2.Should().Be(s1);
            e2.Should().Be(e1);
            if (s1 != FrameCodec.ReadStatus.Frame) continue;
            k2.Should().Be(k1);
            b2.ToArray().Should().Equal(b1.ToArray());
            consumed.Should().Be(bytes.Length - (int)seq.Length);
        }
    }
}
