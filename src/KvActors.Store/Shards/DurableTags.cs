using Google.Protobuf;
using KvActors.Store.Replication;
using KvActors.Store.Wire.Durable;

namespace KvActors.Store.Shards;

/// <summary>Encodes what the store keeps in storage tags (durable.proto): a log record's request, a snapshot's answers.</summary>
internal static class DurableTags
{
    public static byte[] OfRequest(RequestId request) =>
        new LoggedRequest { ClientId = request.ClientId, RequestId = request.Sequence }.ToByteArray();

    public static RequestId ToRequest(ReadOnlyMemory<byte> tag)
    {
        var logged = LoggedRequest.Parser.ParseFrom(tag.Span);
        return new RequestId(logged.ClientId, logged.RequestId);
    }

    public static byte[] OfRequests(IReadOnlyList<CompletedRequest> requests)
    {
        var message = new SnapshotRequests();
        message.Requests.AddRange(requests.Select(StoreWire.ToProto));
        return message.ToByteArray();
    }

    public static CompletedRequest[] ToRequests(ReadOnlyMemory<byte> tag) =>
        SnapshotRequests.Parser.ParseFrom(tag.Span).Requests.Select(StoreWire.FromProto).ToArray();
}
