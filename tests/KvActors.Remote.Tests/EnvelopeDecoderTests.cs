using Google.Protobuf;
using KvActors.Remote.Protocol;
using KvActors.Remote.Transport;

namespace KvActors.Remote.Tests;

/// <summary>The hand decoder of the receive path against protoc's generated parser (seeded, deterministic).</summary>
public class EnvelopeDecoderTests
{
    private static readonly string[] Paths =
    [
        "", "kvactors.tcp://sys@127.0.0.1:4053/user/a", "kvactors.tcp://sys@127.0.0.1:4054/system/remote-watcher",
        "/user/é-ünïcödé-😀", "S", "KvActors.Remote.Protocol.AckNack",
    ];

    private static RemoteEnvelope RandomEnvelope(Random rnd)
    {
        var payload = new byte[rnd.Next(4) == 0 ? 0 : rnd.Next(1, 300)];
        rnd.NextBytes(payload);
        return new RemoteEnvelope
        {
            Recipient = Paths[rnd.Next(Paths.Length)],
            Sender = Paths[rnd.Next(Paths.Length)],
            SerializerId = rnd.Next(3) switch { 0 => 0, 1 => rnd.Next(1, 200), _ => rnd.Next(int.MinValue, int.MaxValue) },
            Manifest = Paths[rnd.Next(Paths.Length)],
            Payload = ByteString.CopyFrom(payload),
        };
    }

    /// <summary>Valid encodings protoc would not write itself: unknown fields, repeated fields, any order.</summary>
    private static byte[] Unusual(Random rnd, RemoteEnvelope env)
    {
        var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        for (var i = rnd.Next(1, 8); i > 0; i--)
        {
            switch (rnd.Next(9))
            {
                case 0: o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(env.Recipient); break;
                case 1: o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString(env.Sender); break;
                case 2: o.WriteTag(3, WireFormat.WireType.Varint); o.WriteInt32(env.SerializerId); break;
                case 3: o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteString(env.Manifest); break;
                case 4: o.WriteTag(5, WireFormat.WireType.LengthDelimited); o.WriteBytes(env.Payload); break;
                case 5: o.WriteTag(rnd.Next(6, 5000), WireFormat.WireType.Varint); o.WriteUInt64((ulong)rnd.NextInt64()); break;
                case 6: o.WriteTag(rnd.Next(6, 5000), WireFormat.WireType.Fixed64); o.WriteFixed64(7); break;
                case 7: o.WriteTag(rnd.Next(6, 5000), WireFormat.WireType.Fixed32); o.WriteFixed32(7); break;
                default: o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt32(5); break; // known number, wrong wire type
            }
        }
        o.Flush();
        return ms.ToArray();
    }

    private static byte[] Mutate(Random rnd, byte[] bytes)
    {
        switch (rnd.Next(4))
        {
            case 0:
                var noise = new byte[rnd.Next(0, 64)];
                rnd.NextBytes(noise);
                return noise;
            case 1:
                return bytes.Length == 0 ? bytes : bytes[..rnd.Next(bytes.Length)];
            case 2:
                var f = (byte[])bytes.Clone();
                for (var i = rnd.Next(1, 4); i > 0 && f.Length > 0; i--) f[rnd.Next(f.Length)] = (byte)rnd.Next(256);
                return f;
            default:
                var g = (byte[])bytes.Clone();
                if (g.Length > 0) g[rnd.Next(g.Length)] = (byte)(0x80 | rnd.Next(128)); // varint continuation / invalid UTF-8 lead
                return g;
        }
    }

    /// <summary>Asserts our decoder accepts or rejects <paramref name="body"/> exactly as the generated parser does.</summary>
    private static void AssertSameAsParser(byte[] body, Utf8StringCache cache)
    {
        RemoteEnvelope? expected = null;
        Exception? failure = null;
        try { expected = RemoteEnvelope.Parser.ParseFrom(body); }
        catch (Exception e) { failure = e; }

        if (failure is InvalidProtocolBufferException)
        {
            EnvelopeCodec.TryDecode(body, cache, out _, out var error).Should().BeFalse();
            error.Should().Be($"malformed envelope ({failure.Message})");
        }
        else if (failure is not null)
        {
            // Whatever else the parser throws, the transport's decoder throws the same way.
            var thrown = Record.Exception(() => EnvelopeCodec.TryDecode(body, cache, out _, out _));
            thrown.Should().NotBeNull().And.BeOfType(failure.GetType());
        }
        else
        {
            EnvelopeCodec.TryDecode(body, cache, out var env, out var error).Should().BeTrue();
            error.Should().BeNull();
            env.Recipient.Should().Be(expected!.Recipient);
            env.Sender.Should().Be(expected.Sender);
            env.SerializerId.Should().Be(expected.SerializerId);
            env.Manifest.Should().Be(expected.Manifest);
            env.Payload.ToArray().Should().Equal(expected.Payload.ToByteArray());
        }
    }

    [Fact]
    public void Protoc_encodings_take_the_fast_path_and_decode_identically()
    {
        var rnd = new Random(1);
        var cache = new Utf8StringCache();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = RandomEnvelope(rnd).ToByteArray();
            EnvelopeDecoder.TryDecode(bytes, cache, out _).Should().BeTrue("a plain envelope needs no fallback");
            AssertSameAsParser(bytes, cache);
        }
    }

    [Fact]
    public void Unknown_repeated_and_reordered_fields_decode_like_the_parser()
    {
        var rnd = new Random(2);
        var cache = new Utf8StringCache();
        for (var i = 0; i < 3000; i++) AssertSameAsParser(Unusual(rnd, RandomEnvelope(rnd)), cache);
    }

    [Fact]
    public void Truncated_mutated_and_random_bodies_are_rejected_exactly_like_the_parser()
    {
        var rnd = new Random(3);
        var cache = new Utf8StringCache();
        for (var i = 0; i < 20_000; i++)
        {
            var source = rnd.Next(2) == 0 ? RandomEnvelope(rnd).ToByteArray() : Unusual(rnd, RandomEnvelope(rnd));
            AssertSameAsParser(Mutate(rnd, source), cache);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0x01, 0x02 })] // length beyond the end
    [InlineData(new byte[] { 0x00 })] // tag 0
    [InlineData(new byte[] { 0x0B, 0x0C })] // a group (start, end)
    [InlineData(new byte[] { 0x0C })] // a lone end-group
    [InlineData(new byte[] { 0x0F })] // wire type 7
    [InlineData(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // 11-byte varint
    [InlineData(new byte[] { 0x0A, 0x02, 0xC3, 0x28 })] // invalid UTF-8 in the recipient
    [InlineData(new byte[] { 0x22, 0x01, 0xFF })] // invalid UTF-8 in the manifest
    public void Edge_cases_behave_like_the_parser(byte[] body) => AssertSameAsParser(body, new Utf8StringCache());

    [Fact]
    public void Recurring_strings_are_decoded_once_and_the_cache_stays_bounded()
    {
        var cache = new Utf8StringCache();
        var bytes = new RemoteEnvelope { Recipient = "kvactors.tcp://s@h:1/user/a", Manifest = "S", SerializerId = 1 }.ToByteArray();
        EnvelopeDecoder.TryDecode(bytes, cache, out var first).Should().BeTrue();
        EnvelopeDecoder.TryDecode(bytes, cache, out var second).Should().BeTrue();
        ReferenceEquals(first.Recipient, second.Recipient).Should().BeTrue();
        ReferenceEquals(first.Manifest, second.Manifest).Should().BeTrue();

        for (var i = 0; i < 3 * Utf8StringCache.MaxEntries; i++)
            cache.TryGet(System.Text.Encoding.UTF8.GetBytes("/user/n" + i), out _).Should().BeTrue();
        cache.Count.Should().BeLessThanOrEqualTo(Utf8StringCache.MaxEntries);
    }
}
