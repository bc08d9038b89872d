using Akka.Actor;
using Google.Protobuf;
using KvActors.Store.Wire.Store;

namespace KvActors.Client;

/// <summary>
/// The <see cref="KvClient"/>'s one actor on the data path: it carries requests to the nodes' shard hosts in
/// <see cref="KvRequestBatch"/>es and hands each answer (<see cref="KvReplyBatch"/>, or a lone <see cref="KvReply"/>)
/// to <c>onReply</c>. Requests for one node are gathered until a flush, a message the courier sends itself when the
/// first one arrives: every request the callers sent meanwhile rides in the same remote message (at most
/// <see cref="MaxRequests"/> or <c>maxBytes</c> per batch), and a lone request waits for nothing but that one local hop.
/// </summary>
internal sealed class RequestCourier : ReceiveActor
{
    /// <summary>Most requests in one batch (with 64 callers in flight a batch rarely holds more than 64).</summary>
    public const int MaxRequests = 512;

    private readonly Action<KvReply> _onReply;
    private readonly int _maxBytes;
    private readonly Dictionary<IActorRef, Gathered> _gathered = new();
    private bool _flushScheduled;

    public RequestCourier(Action<KvReply> onReply, int maxBytes)
    {
        _onReply = onReply;
        _maxBytes = maxBytes;
        Receive<Carry>(OnCarry);
        Receive<Flush>(_ => FlushAll());
        Receive<KvReplyBatch>(batch =>
        {
            foreach (var reply in batch.Replies)
                _onReply(reply);
        });
        Receive<KvReply>(reply => _onReply(reply));
    }

    public static Props Props(Action<KvReply> onReply, int maxBytes) => Akka.Actor.Props.Create(() => new RequestCourier(onReply, maxBytes));

    private void OnCarry(Carry carry)
    {
        var size = carry.Request.CalculateSize() + 8; // + the field's tag and length prefixes
        if (_gathered.TryGetValue(carry.Shards, out var gathered) && (gathered.Bytes + size > _maxBytes || gathered.Batch.Requests.Count >= MaxRequests))
        {
            carry.Shards.Tell(gathered.Batch, Self);
            _gathered.Remove(carry.Shards);
            gathered = null;
        }
        if (gathered is null)
            _gathered[carry.Shards] = gathered = new Gathered();
        gathered.Batch.Requests.Add(carry.Request);
        gathered.Bytes += size;
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            Self.Tell(Flush.Instance);
        }
    }

    private void FlushAll()
    {
        _flushScheduled = false;
        foreach (var (shards, gathered) in _gathered)
            shards.Tell(gathered.Batch, Self);
        _gathered.Clear();
    }

    /// <summary>KvClient -> its courier: send <paramref name="Request"/> to the shard host <paramref name="Shards"/> with the next batch.</summary>
    public sealed record Carry(IActorRef Shards, KvRequest Request);

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed class Gathered
    {
        public KvRequestBatch Batch { get; } = new();
        public int Bytes { get; set; }
    }
}
