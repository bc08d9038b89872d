using Akka.Actor;
using Google.Protobuf;
using KvActors.Store.Wire.Store;

namespace KvActors.Client;

/// <summary>
/// The <see cref="KvClient"/>'s one actor on the data path: it carries requests to the nodes' shard hosts in
/// <see cref="KvRequestBatch"/>es and hands the answers of each reply message (<see cref="KvReplyBatch"/>, or a lone
/// <see cref="KvReply"/>) to <c>onReplies</c> together.
/// </summary>
/// <remarks>
/// When to send, per node (self-clocked, as TCP's Nagle rule): a request for a node with nothing in flight goes out at
/// once (after one local hop: a flush message the courier sends itself, so requests arriving meanwhile join it). While
/// requests are in flight at a node, new ones for it are gathered and go out together when the next answer from that
/// node arrives, or when the batch is full (<see cref="MaxRequests"/>, <c>maxBytes</c>). So a busy client sends about
/// one message per answer message instead of one per request, and an idle one adds no delay. A request stops counting
/// as in flight when its answer arrives or its caller gives up on it (<see cref="Forget"/>), so nothing waits forever.
/// </remarks>
internal sealed class RequestCourier : ReceiveActor
{
    /// <summary>Most requests in one batch.</summary>
    public const int MaxRequests = 512;

    private readonly Action<IReadOnlyList<KvReply>> _onReplies;
    private readonly int _maxBytes;
    private readonly CourierCounters _counters;
    private readonly Dictionary<IActorRef, Node> _nodes = new();
    private readonly Dictionary<long, Node> _inFlight = new();
    private bool _flushScheduled;

    public RequestCourier(Action<IReadOnlyList<KvReply>> onReplies, int maxBytes, CourierCounters counters)
    {
        _onReplies = onReplies;
        _maxBytes = maxBytes;
        _counters = counters;
        Receive<Carry>(OnCarry);
        Receive<Flush>(_ => FlushAll());
        Receive<Forget>(forget => Settled(forget.RequestId));
        Receive<KvReplyBatch>(batch =>
        {
            _counters.Received(batch.Replies.Count);
            foreach (var reply in batch.Replies)
                Settled(reply.RequestId);
            _onReplies(batch.Replies);
        });
        Receive<KvReply>(reply =>
        {
            _counters.Received(1);
            Settled(reply.RequestId);
            _onReplies([reply]);
        });
    }

    public static Props Props(Action<IReadOnlyList<KvReply>> onReplies, int maxBytes, CourierCounters counters) =>
        Akka.Actor.Props.Create(() => new RequestCourier(onReplies, maxBytes, counters));

    private void OnCarry(Carry carry)
    {
        if (!_nodes.TryGetValue(carry.Shards, out var node))
            _nodes[carry.Shards] = node = new Node(carry.Shards);
        var id = RequestIdOf(carry.Request);
        Settled(id); // a retry of a request still counted elsewhere
        _inFlight[id] = node;
        node.InFlight++;

        var size = carry.Request.CalculateSize() + 8; // + the field's tag and length prefixes
        if (node.Gathered.Requests.Count > 0 && (node.Bytes + size > _maxBytes || node.Gathered.Requests.Count >= MaxRequests))
            Send(node);
        node.Gathered.Requests.Add(carry.Request);
        node.Bytes += size;
        ScheduleFlush();
    }

    /// <summary>The request is no longer in flight (answered or given up): its node may send what it gathered.</summary>
    private void Settled(long requestId)
    {
        if (!_inFlight.Remove(requestId, out var node))
            return;
        node.InFlight--;
        node.Clocked = true;
        ScheduleFlush();
    }

    private void ScheduleFlush()
    {
        if (_flushScheduled)
            return;
        _flushScheduled = true;
        Self.Tell(Flush.Instance);
    }

    private void FlushAll()
    {
        _flushScheduled = false;
        foreach (var node in _nodes.Values)
        {
            var waiting = node.Gathered.Requests.Count;
            // Nothing in flight but what is gathered here, or an answer came since the last send: send.
            if (waiting > 0 && (node.Clocked || node.InFlight == waiting))
                Send(node);
        }
    }

    private void Send(Node node)
    {
        _counters.Sent(node.Gathered.Requests.Count);
        node.Shards.Tell(node.Gathered, Self);
        node.Gathered = new KvRequestBatch();
        node.Bytes = 0;
        node.Clocked = false;
    }

    private static long RequestIdOf(KvRequest request) => request.RequestCase switch
    {
        KvRequest.RequestOneofCase.Put => request.Put.RequestId,
        KvRequest.RequestOneofCase.Get => request.Get.RequestId,
        KvRequest.RequestOneofCase.Delete => request.Delete.RequestId,
        KvRequest.RequestOneofCase.Command => request.Command.RequestId,
        _ => throw new ArgumentException("An empty request cannot be sent.", nameof(request)),
    };

    /// <summary>KvClient -> its courier: send <paramref name="Request"/> to the shard host <paramref name="Shards"/>.</summary>
    public sealed record Carry(IActorRef Shards, KvRequest Request);

    /// <summary>KvClient -> its courier: the caller gave up waiting for the answer to request <paramref name="RequestId"/>.</summary>
    public sealed record Forget(long RequestId);

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    /// <summary>One node's shard host: what is gathered for it, and how many of the requests sent to it await an answer.</summary>
    private sealed class Node(IActorRef shards)
    {
        public IActorRef Shards { get; } = shards;
        public KvRequestBatch Gathered { get; set; } = new();
        public int Bytes { get; set; }
        public int InFlight { get; set; }
        public bool Clocked { get; set; } = true;
    }
}

/// <summary>What a <see cref="RequestCourier"/> carried: requests and the batches they rode in, answers and theirs.</summary>
internal sealed class CourierCounters
{
    private long _requests, _requestBatches, _replies, _replyBatches;

    public void Sent(int requests)
    {
        Interlocked.Add(ref _requests, requests);
        Interlocked.Increment(ref _requestBatches);
    }

    public void Received(int replies)
    {
        Interlocked.Add(ref _replies, replies);
        Interlocked.Increment(ref _replyBatches);
    }

    public KvClientBatching Read() =>
        new(Interlocked.Read(ref _requests), Interlocked.Read(ref _requestBatches), Interlocked.Read(ref _replies), Interlocked.Read(ref _replyBatches));
}
