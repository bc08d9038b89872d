using System.Buffers;
using Google.Protobuf;
using KvActors.Actor;
using KvActors.Actor.Internal;
using KvActors.Remote.Protocol;

namespace KvActors.Remote.Serialization;

/// <summary>
/// The actor runtime's own messages on the wire: Identify/ActorIdentity, selections, PoisonPill,
/// Kill, Status replies and the DeathWatch system messages. Actor references are written as
/// full paths with this system's network address and read back through the provider.
/// </summary>
public sealed class ActorMessageSerializer(RemoteActorRefProvider provider) : ISerializer
{
    public const int Identifier = 3;
    public int Id => Identifier;

    public bool CanSerialize(Type type) =>
        type == typeof(Identify) || type == typeof(ActorIdentity) || type == typeof(ActorSelectionMessage)
        || type == typeof(PoisonPill) || type == typeof(Kill) || type == typeof(Status.Success) || type == typeof(Status.Failure)
        || type == typeof(Watch) || type == typeof(Unwatch) || type == typeof(DeathWatchNotification);

    public string ToBinary(object message, IBufferWriter<byte> writer)
    {
        switch (message)
        {
            case Identify i:
                new IdentifyData { MessageId = Payload(i.MessageId) }.WriteTo(writer);
                return "ID";
            case ActorIdentity a:
                new ActorIdentityData { MessageId = Payload(a.MessageId), Subject = a.Subject is null ? "" : provider.SerializedPath(a.Subject) }.WriteTo(writer);
                return "AI";
            case ActorSelectionMessage s:
                var sel = new SelectionData { Message = Payload(s.Message) };
                sel.Elements.AddRange(s.Elements);
                sel.WriteTo(writer);
                return "SEL";
            case PoisonPill:
                return "PP";
            case Kill:
                return "K";
            case Status.Success ok:
                new StatusSuccessData { Status = Payload(ok.Status) }.WriteTo(writer);
                return "S+";
            case Status.Failure f:
                new StatusFailureData { ExceptionType = f.Cause.GetType().FullName ?? "", Message = f.Cause.Message }.WriteTo(writer);
                return "S-";
            case Watch w:
                new WatchData { Watchee = provider.SerializedPath(w.Watchee), Watcher = provider.SerializedPath(w.Watcher) }.WriteTo(writer);
                return "W";
            case Unwatch u:
                new WatchData { Watchee = provider.SerializedPath(u.Watchee), Watcher = provider.SerializedPath(u.Watcher) }.WriteTo(writer);
                return "UW";
            case DeathWatchNotification n:
                new DeathWatchNotificationData
                {
                    Actor = provider.SerializedPath(n.Actor), ExistenceConfirmed = n.ExistenceConfirmed, AddressTerminated = n.AddressTerminated,
                }.WriteTo(writer);
                return "DWN";
            default:
                throw new SerializationException($"ActorMessageSerializer cannot serialize {message.GetType().FullName}.");
        }
    }

    public object FromBinary(ReadOnlySpan<byte> bytes, string manifest)
    {
        try
        {
            switch (manifest)
            {
                case "ID":
                    return new Identify(FromPayload(IdentifyData.Parser.ParseFrom(bytes).MessageId));
                case "AI":
                    var ai = ActorIdentityData.Parser.ParseFrom(bytes);
                    return new ActorIdentity(FromPayload(ai.MessageId), ai.Subject.Length == 0 ? null : provider.ResolveActorRef(ai.Subject));
                case "SEL":
                    var sel = SelectionData.Parser.ParseFrom(bytes);
                    return new ActorSelectionMessage(FromPayload(sel.Message) ?? throw new SerializationException("a selection without a message."), [.. sel.Elements]);
                case "PP":
                    return PoisonPill.Instance;
                case "K":
                    return Kill.Instance;
                case "S+":
                    return new Status.Success(FromPayload(StatusSuccessData.Parser.ParseFrom(bytes).Status));
                case "S-":
                    var f = StatusFailureData.Parser.ParseFrom(bytes);
                    return new Status.Failure(new RemoteFailureException(f.ExceptionType, f.Message));
                case "W":
                    var w = WatchData.Parser.ParseFrom(bytes);
                    return new Watch(provider.ResolveActorRef(w.Watchee), provider.ResolveActorRef(w.Watcher));
                case "UW":
                    var u = WatchData.Parser.ParseFrom(bytes);
                    return new Unwatch(provider.ResolveActorRef(u.Watchee), provider.ResolveActorRef(u.Watcher));
                case "DWN":
                    var n = DeathWatchNotificationData.Parser.ParseFrom(bytes);
                    return new DeathWatchNotification(provider.ResolveActorRef(n.Actor), n.ExistenceConfirmed, n.AddressTerminated);
                default:
                    throw new SerializationException($"ActorMessageSerializer does not know manifest '{manifest}'.");
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SerializationException($"invalid payload for actor message '{manifest}': {e.Message}", e);
        }
    }

    private PayloadData? Payload(object? message)
    {
        if (message is null) return null;
        var serializer = provider.Serializers.FindFor(message);
        var buffer = new ArrayBufferWriter<byte>();
        var manifest = serializer.ToBinary(message, buffer);
        return new PayloadData { SerializerId = serializer.Id, Manifest = manifest, Message = ByteString.CopyFrom(buffer.WrittenSpan) };
    }

    private object? FromPayload(PayloadData? payload)
    {
        if (payload is null) return null;
        if (!provider.Serializers.TryGet(payload.SerializerId, out var serializer))
            throw new SerializationException($"unknown serializer id {payload.SerializerId} in a nested payload.");
        return serializer.FromBinary(payload.Message.Span, payload.Manifest);
    }
}

/// <summary>A failure reported by a remote actor: its exception's type and message, not the object.</summary>
public sealed class RemoteFailureException(string remoteType, string message) : Exception(message)
{
    public string RemoteType { get; } = remoteType;
    public override string ToString() => $"{RemoteType} (remote): {Message}";
}
