using System.Runtime.InteropServices;
using Google.Protobuf;
using KvActors.Store.Replication;
using KvActors.Store.Wire.Store;
using ProtoNotPrimary = KvActors.Store.Wire.Store.NotPrimary;
using ProtoRetryLater = KvActors.Store.Wire.Store.RetryLater;
using ProtoWriteDone = KvActors.Store.Wire.Store.WriteDone;
using ProtoReadDone = KvActors.Store.Wire.Store.ReadDone;
using ReplicationNotPrimary = KvActors.Store.Replication.NotPrimary;
using ReplicationRetryLater = KvActors.Store.Replication.RetryLater;
using ReplicationWriteDone = KvActors.Store.Replication.WriteDone;
using ReplicationReadDone = KvActors.Store.Replication.ReadDone;

namespace KvActors.Store.Shards;

/// <summary>
/// The replication core's records to and from their wire form in store.proto. Pure; every conversion round-trips
/// (a <see cref="ReplicationMessage"/> through <see cref="ToItem"/> and <see cref="FromItem"/>, a
/// <see cref="ClientReply"/> through <see cref="ToReply"/> and <see cref="FromReply"/>).
/// </summary>
public static class StoreWire
{
    // ---------------------------------------------------------------- replication

    public static ReplicationItem ToItem(int partition, ReplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var item = new ReplicationItem { Partition = partition, Epoch = message.Epoch, From = message.From };
        switch (message)
        {
            case Prepare p:
                var prepare = new PrepareMessage { PrevSeq = p.PrevSeq, PrevEpoch = p.PrevEpoch, CommitPoint = p.CommitPoint, SentAt = p.SentAt };
                for (var i = 0; i < p.Entries.Count; i++)
                    prepare.Entries.Add(ToProto(p.Entries[i]));
                item.Prepare = prepare;
                break;
            case PrepareAck a:
                item.PrepareAck = new PrepareAckMessage { PreparedThrough = a.PreparedThrough, EchoSentAt = a.EchoSentAt };
                break;
            case NeedsCatchUp n:
                item.NeedsCatchUp = new NeedsCatchUpMessage { FromSeq = n.FromSeq };
                break;
            case CatchUpData c:
                var data = new CatchUpDataMessage
                {
                    Snapshot = c.Snapshot is null ? null : ToProto(c.Snapshot),
                    PrevSeq = c.PrevSeq,
                    PrevEpoch = c.PrevEpoch,
                    CommitPoint = c.CommitPoint,
                    SentAt = c.SentAt,
                };
                data.Entries.AddRange(c.Entries.Select(ToProto));
                item.CatchUpData = data;
                break;
            case StaleEpoch:
                item.StaleEpoch = new StaleEpochMessage();
                break;
            default:
                throw new ArgumentException($"No wire form for {message.GetType().Name}.", nameof(message));
        }
        return item;
    }

    /// <summary>The message an item carries; <see cref="FormatException"/> when it carries none or a malformed one.</summary>
    public static ReplicationMessage FromItem(ReplicationItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.MessageCase switch
        {
            ReplicationItem.MessageOneofCase.Prepare => new Prepare(item.Epoch, item.From, item.Prepare.PrevSeq, item.Prepare.PrevEpoch,
                item.Prepare.Entries.Select(FromProto).ToArray(), item.Prepare.CommitPoint, item.Prepare.SentAt),
            ReplicationItem.MessageOneofCase.PrepareAck => new PrepareAck(item.Epoch, item.From, item.PrepareAck.PreparedThrough, item.PrepareAck.EchoSentAt),
            ReplicationItem.MessageOneofCase.NeedsCatchUp => new NeedsCatchUp(item.Epoch, item.From, item.NeedsCatchUp.FromSeq),
            ReplicationItem.MessageOneofCase.CatchUpData => new CatchUpData(item.Epoch, item.From,
                item.CatchUpData.Snapshot is null ? null : FromProto(item.CatchUpData.Snapshot),
                item.CatchUpData.PrevSeq, item.CatchUpData.PrevEpoch, item.CatchUpData.Entries.Select(FromProto).ToArray(),
                item.CatchUpData.CommitPoint, item.CatchUpData.SentAt),
            ReplicationItem.MessageOneofCase.StaleEpoch => new StaleEpoch(item.Epoch, item.From),
            _ => throw new FormatException($"A replication item for partition {item.Partition} carries no message."),
        };
    }

    public static LogEntryMessage ToProto(LogEntry entry) => new()
    {
        Seq = entry.Seq,
        Epoch = entry.Epoch,
        ClientId = entry.Request.ClientId,
        RequestId = entry.Request.Sequence,
        Kind = entry.Operation.Kind switch
        {
            KvOperationKind.Put => OperationKind.Put,
            KvOperationKind.Delete => OperationKind.Delete,
            _ => OperationKind.Noop,
        },
        // Wrapped, not copied: a logged operation's arrays are never changed (APPEND builds a new value).
        Key = UnsafeByteOperations.UnsafeWrap(entry.Operation.Key),
        Value = entry.Operation.Value is { } value ? UnsafeByteOperations.UnsafeWrap(value) : ByteString.Empty,
        ExpiresAtMs = entry.Operation.ExpiresAtMs,
        Outcome = entry.Outcome is null ? null : CommandWire.ToProto(entry.Outcome),
    };

    public static LogEntry FromProto(LogEntryMessage entry) => new(
        entry.Seq,
        entry.Epoch,
        new RequestId(entry.ClientId, entry.RequestId),
        entry.Kind switch
        {
            OperationKind.Put when entry.ExpiresAtMs >= 0 => KvOperation.Put(Owned(entry.Key), StoredBytes.Copy(entry.Value), entry.ExpiresAtMs),
            OperationKind.Delete => KvOperation.Delete(Owned(entry.Key)),
            OperationKind.Noop => KvOperation.Noop(Owned(entry.Key)),
            _ => throw new FormatException($"Log entry {entry.Seq} has no valid operation ({entry.Kind}, expiry {entry.ExpiresAtMs})."),
        },
        CommandWire.FromProto(entry.Outcome));

    /// <summary>
    /// A parsed field's bytes: the array the parser filled for it when it holds exactly them (the usual case), else a
    /// copy. Every replica takes every write's key through here, and arrays are never changed once made. (Values are
    /// copied to where they will be kept: <see cref="StoredBytes"/>.)
    /// </summary>
    private static byte[] Owned(ByteString bytes) =>
        MemoryMarshal.TryGetArray(bytes.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToByteArray();

    public static SnapshotMessage ToProto(ReplicaSnapshot snapshot)
    {
        var message = new SnapshotMessage { Seq = snapshot.Seq, Epoch = snapshot.Epoch };
        message.Data.AddRange(snapshot.Data.Select(kv => new KeyValueMessage
        {
            Key = ByteString.CopyFrom(kv.Key), Value = ByteString.CopyFrom(kv.Value), ExpiresAtMs = snapshot.ExpiryOf(kv.Key),
        }));
        message.Requests.AddRange(snapshot.Requests.Select(ToProto));
        return message;
    }

    public static ReplicaSnapshot FromProto(SnapshotMessage snapshot)
    {
        var data = new KeyValuePair<byte[], byte[]>[snapshot.Data.Count];
        var expiries = new Dictionary<byte[], long>(Storage.ByteArrayComparer.Instance);
        for (var i = 0; i < data.Length; i++)
        {
            var kv = snapshot.Data[i];
            data[i] = new KeyValuePair<byte[], byte[]>(kv.Key.ToByteArray(), StoredBytes.Copy(kv.Value));
            if (kv.ExpiresAtMs > 0)
                expiries[data[i].Key] = kv.ExpiresAtMs;
        }
        return new ReplicaSnapshot(snapshot.Seq, snapshot.Epoch, data, snapshot.Requests.Select(FromProto).ToArray(), expiries.Count == 0 ? null : expiries);
    }

    public static CompletedRequestMessage ToProto(CompletedRequest request) => new()
    {
        ClientId = request.Request.ClientId,
        RequestId = request.Request.Sequence,
        Existed = request.Result.Existed,
        Seq = request.Seq,
        Outcome = request.Outcome is null ? null : CommandWire.ToProto(request.Outcome),
    };

    public static CompletedRequest FromProto(CompletedRequestMessage request) =>
        new(new RequestId(request.ClientId, request.RequestId), new WriteResult(request.Existed), request.Seq, CommandWire.FromProto(request.Outcome));

    // ---------------------------------------------------------------- client replies

    public static KvReply ToReply(ClientReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var message = new KvReply { ClientId = reply.Request.ClientId, RequestId = reply.Request.Sequence };
        switch (reply)
        {
            case ReplicationWriteDone w:
                message.WriteDone = new ProtoWriteDone { Existed = w.Result.Existed, Seq = w.Seq, Outcome = w.Outcome is null ? null : CommandWire.ToProto(w.Outcome) };
                break;
            case ReplicationReadDone r:
                message.ReadDone = new ProtoReadDone
                {
                    // Not copied: a partition never changes a value array it holds (a write replaces it), and every receiver
                    // copies what it keeps (the wire, ToByteArray).
                    Found = r.Value is not null, Value = r.Value is null ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(r.Value), AsOfSeq = r.AsOfSeq,
                    ExpiresAtMs = r.ExpiresAtMs,
                    TtlMs = r.ExpiresAtMs == 0 ? -1 : Math.Max(0, r.ExpiresAtMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
                };
                break;
            case ReplicationNotPrimary n:
                message.NotPrimary = new ProtoNotPrimary { Epoch = n.Epoch, Hint = n.Primary ?? "" };
                break;
            case ReplicationRetryLater l:
                message.RetryLater = new ProtoRetryLater { Reason = l.Reason };
                break;
            case AnswerForgotten f:
                message.Refused = new Refused { Reason = f.Reason };
                break;
            default:
                throw new ArgumentException($"No wire form for {reply.GetType().Name}.", nameof(reply));
        }
        return message;
    }

    /// <summary>The core's reply a wire reply stands for; null for <see cref="Refused"/>, which carries only a reason.</summary>
    public static ClientReply? FromReply(KvReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var request = new RequestId(reply.ClientId, reply.RequestId);
        return reply.ResultCase switch
        {
            KvReply.ResultOneofCase.WriteDone => new ReplicationWriteDone(request, new WriteResult(reply.WriteDone.Existed), reply.WriteDone.Seq,
                CommandWire.FromProto(reply.WriteDone.Outcome)),
            KvReply.ResultOneofCase.ReadDone => new ReplicationReadDone(request, reply.ReadDone.Found ? reply.ReadDone.Value.ToByteArray() : null, reply.ReadDone.AsOfSeq,
                reply.ReadDone.ExpiresAtMs),
            KvReply.ResultOneofCase.NotPrimary => new ReplicationNotPrimary(request, reply.NotPrimary.Epoch, reply.NotPrimary.Hint.Length == 0 ? null : reply.NotPrimary.Hint),
            KvReply.ResultOneofCase.RetryLater => new ReplicationRetryLater(request, reply.RetryLater.Reason),
            KvReply.ResultOneofCase.Refused => null,
            _ => throw new FormatException($"A reply to {request} carries no result."),
        };
    }

    public static KvReply Refused(RequestId request, string reason) =>
        new() { ClientId = request.ClientId, RequestId = request.Sequence, Refused = new Refused { Reason = reason } };
}
