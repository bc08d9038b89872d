using Google.Protobuf;
using KvActors.Remote.Protocol;
using KvActors.Remote.Serialization;
using KvActors.Remote.Transport;

namespace KvActors.Remote.Tests;

/// <summary>The send path's per-thread UTF-8 cache must never change the bytes on the wire.</summary>
public class EnvelopeEncoderTests
{
    [Fact]
    public void Reused_and_colliding_strings_always_encode_to_the_protoc_bytes()
    {
        var rnd = new Random(11);
        var reg = SerializerRegistry.CreateDefault();
        // Far more distinct strings than cache slots, some non-ASCII, one longer than the cached limit.
        var paths = Enumerable.Range(0, 300).Select(i => $"kvactors.tcp://s@h:1/user/ä{i}").Append(new string('p', 3000)).ToArray();
        for (var i = 0; i < 5000; i++)
        {
            var recipient = paths[rnd.Next(paths.Length)];
            var sender = rnd.Next(4) == 0 ? null : paths[rnd.Next(paths.Length)];
            var text = "m" + rnd.Next(1000);
            EnvelopeCodec.EncodeToScratch(new OutboundEnvelope(recipient, sender, text), reg, 1 << 20, out var frame, out _)
                .Should().Be(EnvelopeCodec.Result.Ok);
            var expected = new RemoteEnvelope
            {
                Recipient = recipient, Sender = sender ?? "", SerializerId = 1, Manifest = "S",
                Payload = Google.Protobuf.ByteString.CopyFromUtf8(text),
            };
            frame[FrameCodec.HeaderSize..].ToArray().Should().Equal(expected.ToByteArray());
        }
    }
}
