using Google.Protobuf;
using System.Buffers;
using KvActors.Remote.Protocol;
using KvActors.Remote.Serialization;
using KvActors.Remote.Transport;

namespace KvActors.Remote.Tests;

public class SerializationTests
{
    private static object RoundTrip(SerializerRegistry reg, object o)
    {
        var s = reg.FindFor(o);
        var w = new ArrayBufferWriter<byte>();
        var manifest = s.ToBinary(o, w);
        reg.TryGet(s.Id, out var back).Should().BeTrue();
        return back.FromBinary(w.WrittenSpan, manifest);
    }

    [Theory]
    [InlineData("héllo")]
    [InlineData("")]
    [InlineData(42)]
    [InlineData(-7L)]
    [InlineData(true)]
    [InlineData(3.25)]
    public void Primitives_round_trip(object value) =>
        RoundTrip(SerializerRegistry.CreateDefault(), value).Should().Be(value);

    [Fact]
    public void Bytes_round_trip() =>
        RoundTrip(SerializerRegistry.CreateDefault(), new byte[] { 1, 2, 3 }).Should().BeEquivalentTo(new byte[] { 1, 2, 3 });

    [Fact]
    public void Protobuf_messages_round_trip_by_type_name()
    {
        var reg = SerializerRegistry.CreateDefault();
        var msg = new AckNack { CumulativeSeq = 5, Nacks = { 7, 9 } };
        reg.FindFor(msg).Id.Should().Be(ProtobufSerializer.Identifier);
        RoundTrip(reg, msg).Should().Be(msg);
    }

    [Fact]
    public void Unknown_manifest_and_bad_bytes_throw_serialization_exception()
    {
        var p = new ProtobufSerializer();
        p.Invoking(x => x.FromBinary(new byte[] { 1 }, "No.Such.Type")).Should().Throw<SerializationException>();
        p.Invoking(x => x.FromBinary(new byte[] { 0xFF, 0xFF }, typeof(AckNack).FullName!)).Should().Throw<SerializationException>();
        p.Invoking(x => x.FromBinary(new byte[] { 1 }, typeof(string).FullName!)).Should().Throw<SerializationException>("only protobuf types resolve");
        new PrimitiveSerializer().Invoking(x => x.FromBinary(new byte[] { 1 }, "I")).Should().Throw<SerializationException>();
    }

    [Fact]
    public void Unregistered_type_has_no_serializer()
    {
        SerializerRegistry.CreateDefault().Invoking(r => r.FindFor(new object())).Should().Throw<SerializationException>().WithMessage("*System.Object*");
    }

    [Fact]
    public void Modules_register_their_own_serializers_and_ids_are_unique()
    {
        var reg = SerializerRegistry.CreateDefault();
        reg.Register(new GuidSerializer());
        RoundTrip(reg, Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff")).Should().Be(Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"));
        reg.Invoking(r => r.Register(new ClashingSerializer())).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Hand_encoded_envelope_is_the_protoc_encoding()
    {
        var reg = SerializerRegistry.CreateDefault();
        var env = new OutboundEnvelope("kvactors.tcp://s@h:1/user/a", "kvactors.tcp://s@h:2/user/b", "payload");
        EnvelopeCodec.Encode(env, reg, 1 << 20, out var frame, out _).Should().Be(EnvelopeCodec.Result.Ok);
        var bytes = frame.Buffer.AsSpan(0, frame.Length).ToArray();
        frame.Release();
        var seq = new ReadOnlySequence<byte>(bytes);
        FrameCodec.TryRead(ref seq, 1 << 20, out var kind, out var body, out _).Should().Be(FrameCodec.ReadStatus.Frame);
        kind.Should().Be(FrameKind.Envelope);
        var parsed = RemoteEnvelope.Parser.ParseFrom(body);
        parsed.Recipient.Should().Be(env.Recipient);
        parsed.Sender.Should().Be(env.Sender);
        parsed.SerializerId.Should().Be(PrimitiveSerializer.Identifier);
        parsed.Manifest.Should().Be("S");
        parsed.Payload.ToStringUtf8().Should().Be("payload");
        var expected = new RemoteEnvelope { Recipient = env.Recipient, Sender = env.Sender, SerializerId = 1, Manifest = "S", Payload = Google.Protobuf.ByteString.CopyFromUtf8("payload") };
        body.ToArray().Should().Equal(expected.ToByteArray());
    }

    [Fact]
    public void Frame_codec_rejects_zero_oversized_and_unknown_kinds_and_waits_for_partial()
    {
        ReadOnlySequence<byte> S(params byte[] b) => new(b);
        var s = S(0, 0, 0, 0);
        FrameCodec.TryRead(ref s, 100, out _, out _, out _).Should().Be(FrameCodec.ReadStatus.Invalid);
        s = S(0, 0, 0, 101, 1);
        FrameCodec.TryRead(ref s, 100, out _, out _, out var err).Should().Be(FrameCodec.ReadStatus.Invalid);
        err.Should().Contain("101");
        s = S(0, 0, 0, 2, 9, 9);
        FrameCodec.TryRead(ref s, 100, out _, out _, out _).Should().Be(FrameCodec.ReadStatus.Invalid);
        s = S(0, 0, 0, 3, 1, 9);
        FrameCodec.TryRead(ref s, 100, out _, out _, out _).Should().Be(FrameCodec.ReadStatus.NeedMore);
        s = S(0, 0);
        FrameCodec.TryRead(ref s, 100, out _, out _, out _).Should().Be(FrameCodec.ReadStatus.NeedMore);
    }

    private sealed class GuidSerializer : ISerializer
    {
        public int Id => 100;
        public bool CanSerialize(Type type) => type == typeof(Guid);
        public string ToBinary(object message, IBufferWriter<byte> writer) { writer.Write(((Guid)message).ToByteArray()); return ""; }
        public object FromBinary(ReadOnlySpan<byte> bytes, string manifest) => new Guid(bytes);
    }

    private sealed class ClashingSerializer : ISerializer
    {
        public int Id => 100;
        public bool CanSerialize(Type type) => false;
        public string ToBinary(object message, IBufferWriter<byte> writer) => "";
        public object FromBinary(ReadOnlySpan<byte> bytes, string manifest) => null!;
    }
}
