using Google.Protobuf;
using KvActors.Remote.Protocol;

namespace KvActors.Remote.Handshake;

/// <summary>
/// The accepting side of the association handshake, as a pure state machine. A fresh responder
/// nonce per connection is what defeats replay: a recorded Response proves the secret only for
/// the nonce of the connection it was recorded on.
/// </summary>
public sealed class HandshakeResponder
{
    private enum State { AwaitHello, AwaitResponse, Done }

    private readonly HandshakeConfig _config;
    private State _state = State.AwaitHello;
    private byte[] _nonceI = Array.Empty<byte>(), _nonceR = Array.Empty<byte>();
    private UniqueAddress? _remote;

    public HandshakeResponder(HandshakeConfig config) => _config = config;

    /// <summary>The initiator as it claimed itself in Hello (not yet proven), for logging.</summary>
    public UniqueAddress? Claimed => _remote;

    public HandshakeStep Receive(ReadOnlySpan<byte> frame)
    {
        HandshakeMessage msg;
        try { msg = HandshakeMessage.Parser.ParseFrom(frame); }
        catch (InvalidProtocolBufferException) { return Finish(HandshakeStep.Fail("malformed handshake message")); }

        switch (_state)
        {
            case State.AwaitHello when msg.KindCase == HandshakeMessage.KindOneofCase.Hello:
                return OnHello(msg.Hello);
            case State.AwaitResponse when msg.KindCase == HandshakeMessage.KindOneofCase.Response:
                return OnResponse(msg.Response);
            default:
                return Finish(HandshakeStep.Fail($"unexpected {msg.KindCase} in state {_state}"));
        }
    }

    private HandshakeStep OnHello(Hello h)
    {
        if (h.Version != _config.Version)
            return Refuse($"protocol version {h.Version} is not supported (this node speaks {_config.Version})");
        var remote = UniqueAddress.FromProto(h.From);
        var to = UniqueAddress.FromProto(h.To);
        if (remote is null || to is null || h.Nonce.Length != HandshakeConfig.NonceSize)
            return Finish(HandshakeStep.Fail("malformed hello"));
        _remote = remote;
        if (to.System != _config.Local.Address.System)
            return Refuse($"this is actor system '{_config.Local.Address.System}', not '{to.System}'");
        if (_config.IsQuarantined(remote))
            return Refuse($"incarnation {remote} is quarantined");

        _nonceI = h.Nonce.ToByteArray();
        _nonceR = _config.NewNonce();
        _state = State.AwaitResponse;
        var proof = HandshakeProof.Compute(_config.SecretKey, initiator: false, _nonceI, _nonceR, remote.Uid, _config.Local.Uid);
        return HandshakeStep.Continue(new HandshakeMessage
        {
            Challenge = new Challenge
            {
                Version = _config.Version,
                From = _config.Local.ToProto(),
                Nonce = ByteString.CopyFrom(_nonceR),
                Proof = ByteString.CopyFrom(proof),
            },
        }.ToByteArray());
    }

    private HandshakeStep OnResponse(Response r)
    {
        var expected = HandshakeProof.Compute(_config.SecretKey, initiator: true, _nonceI, _nonceR, _remote!.Uid, _config.Local.Uid);
        if (!HandshakeProof.Verify(expected, r.Proof.Span))
            return Refuse("wrong or missing cluster secret");
        _state = State.Done;
        return HandshakeStep.Done(new HandshakeMessage { Accept = new Accept() }.ToByteArray(), _remote);
    }

    private HandshakeStep Refuse(string reason) =>
        Finish(HandshakeStep.Fail(reason, new HandshakeMessage { Reject = new Reject { Reason = reason } }.ToByteArray()));

    private HandshakeStep Finish(HandshakeStep step)
    {
        _state = State.Done;
        return step;
    }
}
