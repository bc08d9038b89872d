using System.Buffers;
using Google.Protobuf;
using KvActors.Actor;
using KvActors.Actor.Internal;
using KvActors.Remote.Delivery;
using KvActors.Remote.Protocol;
using KvActors.Remote.Transport;
using Microsoft.Extensions.Logging;

namespace KvActors.Remote.Endpoint;

/// <summary>
/// Reliable, ordered, exactly-once delivery of system messages (Watch, Unwatch, death notices)
/// between two systems, on top of the lossy transport: the pure Acked buffers number, hold,
/// resend and reorder; this class feeds them and turns their decisions into sends and
/// quarantines. One send buffer per remote address (reset when a new incarnation appears),
/// one receive buffer per remote incarnation.
/// </summary>
internal sealed class SystemMessageDelivery(RemoteActorRefProvider provider, ILogger log)
{
    private readonly object _gate = new();
    private readonly Dictionary<Address, AckedSendBuffer<SystemMessageEnvelope>> _outbound = new();
    private readonly Dictionary<UniqueAddress, AckedReceiveBuffer<SystemMessageEnvelope>> _inbound = new();

    private RemoteSettings Settings => provider.RemoteSettings;

    /// <summary>Numbers and sends one system message to a remote actor.</summary>
    public void Send(RemoteActorRef recipient, SystemMessage message)
    {
        var envelope = Wrap(recipient.PathString, message);
        var to = recipient.Path.Address;
        lock (_gate)
        {
            if (!_outbound.TryGetValue(to, out var buffer))
                _outbound[to] = buffer = new AckedSendBuffer<SystemMessageEnvelope>(Settings.SystemMessageBufferSize, Settings.SystemMessageResendInterval, Settings.GiveUpSystemMessageAfter);
            if (buffer.Buffer(envelope, Now, out var numbered) == SendDecision.Quarantine)
            {
                GiveUp(to, buffer.QuarantineReason!);
                return;
            }
            envelope.Seq = numbered.Seq;
        }
        Transmit(to, envelope);
    }

    /// <summary>Resends what is due; gives up on peers that stopped acknowledging.</summary>
    public void Tick()
    {
        var resend = new List<(Address, SystemMessageEnvelope)>();
        var giveUp = new List<(Address, string)>();
        lock (_gate)
        {
            foreach (var (address, buffer) in _outbound)
            {
                if (buffer.Tick(Now, out var due) == SendDecision.Quarantine) giveUp.Add((address, buffer.QuarantineReason!));
                else foreach (var d in due) resend.Add((address, d.Message));
            }
        }
        foreach (var (address, envelope) in resend) Transmit(address, envelope);
        foreach (var (address, reason) in giveUp) lock (_gate) GiveUp(address, reason);
    }

    public void OnAck(Address from, AckNack ackNack)
    {
        IReadOnlyList<Sequenced<SystemMessageEnvelope>> resend;
        lock (_gate)
        {
            if (!_outbound.TryGetValue(from, out var buffer)) return;
            resend = buffer.Acknowledge(new Ack(ackNack.CumulativeSeq, ackNack.Nacks.ToArray()), Now);
        }
        foreach (var r in resend) Transmit(from, r.Message);
    }

    /// <summary>An arrival: deliver what is now in order to local actors and acknowledge.</summary>
    public void OnReceived(UniqueAddress from, SystemMessageEnvelope envelope)
    {
        IReadOnlyList<SystemMessageEnvelope> deliver;
        Ack ack;
        lock (_gate)
        {
            if (!_inbound.TryGetValue(from, out var buffer))
                _inbound[from] = buffer = new AckedReceiveBuffer<SystemMessageEnvelope>(Settings.SystemMessageBufferSize);
            deliver = buffer.Receive(new Sequenced<SystemMessageEnvelope>(envelope.Seq, envelope), out ack);
        }
        foreach (var e in deliver) Dispatch(from, e);
        var reply = new AckNack { CumulativeSeq = ack.CumulativeSeq };
        reply.Nacks.AddRange(ack.Nacks);
        provider.Send(from.Address, new OutboundEnvelope(provider.ControlPathOf(from.Address), null, reply));
    }

    /// <summary>Forget everything about an address (its incarnation is gone).</summary>
    public void Reset(Address address, UniqueAddress? incarnation)
    {
        lock (_gate)
        {
            _outbound.Remove(address);
            if (incarnation is not null) _inbound.Remove(incarnation);
        }
    }

    private void GiveUp(Address address, string reason)
    {
        _outbound.Remove(address);
        var uid = provider.Transport.KnownUid(address);
        log.LogWarning("Giving up system message delivery to {Address}: {Reason}.", address, reason);
        if (uid != 0) provider.Transport.Quarantine(new UniqueAddress(address, uid), reason);
        else provider.Watcher.AddressTerminated(address);
    }

    private void Dispatch(UniqueAddress from, SystemMessageEnvelope e)
    {
        SystemMessage message;
        try
        {
            if (!provider.Serializers.TryGet(e.SerializerId, out var serializer))
                throw new Serialization.SerializationException($"unknown serializer id {e.SerializerId}");
            message = serializer.FromBinary(e.Payload.Span, e.Manifest) as SystemMessage
                ?? throw new Serialization.SerializationException($"manifest '{e.Manifest}' is not a system message");
        }
        catch (Exception ex)
        {
            log.LogWarning("Dropping an unreadable system message from {From}: {Reason}.", from, ex.Message);
            return;
        }
        var recipient = provider.ResolveActorRef(e.Recipient);
        switch (message)
        {
            case Watch w when w.Watcher is RemoteActorRef: provider.Watcher.OnRemoteWatch(w.Watchee, w.Watcher); break;
            case Unwatch u when u.Watcher is RemoteActorRef: provider.Watcher.OnRemoteUnwatch(u.Watchee, u.Watcher); break;
            case DeathWatchNotification n when recipient.IsLocal: provider.Watcher.OnWatcheeTerminated(n.Actor, recipient); break;
        }
        recipient.SendSystemMessage(message);
    }

    private SystemMessageEnvelope Wrap(string recipient, SystemMessage message)
    {
        var serializer = provider.Serializers.FindFor(message);
        var buffer = new ArrayBufferWriter<byte>(64);
        var manifest = serializer.ToBinary(message, buffer);
        return new SystemMessageEnvelope
        {
            Recipient = recipient, SerializerId = serializer.Id, Manifest = manifest, Payload = ByteString.CopyFrom(buffer.WrittenSpan),
        };
    }

    private void Transmit(Address to, SystemMessageEnvelope envelope) =>
        provider.Send(to, new OutboundEnvelope(provider.ControlPathOf(to), null, envelope));

    private static long Now => Environment.TickCount64;
}
