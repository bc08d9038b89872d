using Google.Protobuf;
using KvActors.Actor;
using KvActors.Remote.Protocol;

namespace KvActors.Remote.Handshake;

/// <summary>
/// The connecting side of the association handshake, as a pure state machine:
/// <see cref="Start"/> gives the Hello to send, <see cref="Receive"/> takes each handshake frame
/// body and says what to send and whether the association is up. No sockets, no clocks
/// (the transport enforces the timeout); nonces come from the injected RNG.
/// </summary>
public sealed class HandshakeInitiator
{
    private enum State { New, AwaitChallenge, AwaitAccept, Done }

    private readonly HandshakeConfig _config;
    private readonly Address _target;
    private State _state = State.New;
    private byte[] _nonce = Array.Empty<byte>();
    private UniqueAddress? _remote;

    public HandshakeInitiator(HandshakeConfig config, Address target)
    {
        _config = config;
        _target = target;
    }

    public byte[] Start()
    {
        if (_state != State.New) throw new InvalidOperationException("handshake already started.");
        _nonce = _config.NewNonce();
        _state = State.AwaitChallenge;
        return new HandshakeMessage
        {
            Hello = new Hello
            {
                Version = _config.Version,
                From = _config.Local.ToProto(),
                To = UniqueAddress.ToProto(_target),
                Nonce = ByteString.CopyFrom(_nonce),
            },
        }.ToByteArray();
    }

    public HandshakeStep Receive(ReadOnlySpan<byte> frame)
    {
        HandshakeMessage msg;
        try { msg = HandshakeMessage.Parser.ParseFrom(frame); }
        catch (InvalidProtocolBufferException) { return Finish(HandshakeStep.Fail("malformed handshake message")); }

        if (msg.KindCase == HandshakeMessage.KindOneofCase.Reject)
            return Finish(HandshakeStep.Fail($"refused by peer: {msg.Reject.Reason}"));

        switch (_state)
        {
            case State.AwaitChallenge when msg.KindCase == HandshakeMessage.KindOneofCase.Challenge:
                return OnChallenge(msg.Challenge);
            case State.AwaitAccept when msg.KindCase == HandshakeMessage.KindOneofCase.Accept:
                _state = State.Done;
                return HandshakeStep.Done(null, _remote!);
            default:
                return Finish(HandshakeStep.Fail($"unexpected {msg.KindCase} in state {_state}"));
        }
    }

    private HandshakeStep OnChallenge(Challenge c)
    {
        if (c.Version != _config.Version)
            return Finish(HandshakeStep.Fail($"peer speaks protocol version {c.Version}, we speak {_config.Version}"));
        var remote = UniqueAddress.FromProto(c.From);
        if (remote is null || c.Nonce.Length != HandshakeConfig.NonceSize)
            return Finish(HandshakeStep.Fail("malformed challenge"));
        if (c.Nonce.Span.SequenceEqual(_nonce))
            return Finish(HandshakeStep.Fail("challenge reflects our own nonce"));
        if (remote.Address.System != _target.System)
            return Finish(HandshakeStep.Fail($"peer is actor system '{remote.Address.System}', expected '{_target.System}'"));
        var expected = HandshakeProof.Compute(_config.SecretKey, initiator: false, _nonce, c.Nonce.Span, _config.Local.Uid, remote.Uid);
        if (!HandshakeProof.Verify(expected, c.Proof.Span))
            return Finish(HandshakeStep.Fail("peer does not know the cluster secret (wrong or missing kvactors.remote.secret)"));
        if (_config.IsQuarantined(remote))
            return Finish(HandshakeStep.Fail($"peer incarnation {remote} is quarantined"));

        _remote = remote;
        _state = State.AwaitAccept;
        var proof = HandshakeProof.Compute(_config.SecretKey, initiator: true, _nonce, c.Nonce.Span, _config.Local.Uid, remote.Uid);
        return HandshakeStep.Continue(new HandshakeMessage { Response = new Response { Proof = ByteString.CopyFrom(proof) } }.ToByteArray());
    }

    private HandshakeStep Finish(HandshakeStep step)
    {
        _state = State.Done;
        return step;
    }
}
