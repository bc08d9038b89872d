using Google.Protobuf;
using KvActors.Store.Replication;
using KvActors.Store.Wire.Durable;

namespace KvActors.Store.Shards;

/// <summary>Encodes what the store keeps in storage tags (durable.proto): a log record's request, a snapshot's answers.</summary>
internal static class DurableTags
{
    public static byte[] OfRequest(RequestId request, CommandResult? outcome = null)
    {
        var logged = new LoggedRequest
        {
            ClientId = request.ClientId, RequestId = request.Sequence, Outcome = outcome is null ? null : CommandWire.ToProto(outcome),
        };
        // Written into an exact-size array: ToByteArray would allocate a CodedOutputStream too, once per logged write.
        var bytes = new byte[logged.CalculateSize()];
        logged.WriteTo(bytes.AsSpan());
        return bytes;
    }

    public static RequestId ToRequest(ReadOnlyMemory<byte> tag) => ToLogged(tag).Request;

    /// <summary>A logged entry's request and the answer the primary computed for it (null if none was logged).</summary>
    public static (RequestId Request, CommandResult? Outcome) ToLogged(ReadOnlyMemory<byte> tag)
    {
        var logged = LoggedRequest.Parser.ParseFrom(tag.Span);
        return (new RequestId(logged.ClientId, logged.RequestId), CommandWire.FromProto(logged.Outcome));
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
