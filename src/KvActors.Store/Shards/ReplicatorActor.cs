using Akka.Actor;
using Akka.Event;
using KvActors.Store.Partitioning;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// One per node at <see cref="StoreHost.ReplicatorPath"/>: sends the node's ShardActors' replication messages
/// (<see cref="OutboundReplication"/>), batched per destination node, to the destination's <see cref="ShardHost"/>.
/// </summary>
/// <remarks>
/// Batching: items for a destination are queued; a flush is triggered by a message to itself, so every item that
/// arrived while the mailbox was busy rides in one <see cref="ReplicationBatch"/> (at most
/// <see cref="ShardSettings.MaxBatchItems"/>; a full batch is sent at once), and while a batch to the destination is
/// unacknowledged the queue waits for its acknowledgement (self-clocked, see <see cref="SendDue"/>). Bounds: at most
/// <see cref="ShardSettings.MaxBatchesInFlight"/> unacknowledged batches per destination (the destination's host
/// answers <see cref="ReplicationBatchAck"/>; a batch unacknowledged for <see cref="ShardSettings.BatchAckTimeout"/> is
/// given up), and at most <see cref="ShardSettings.MaxQueuedPerDestination"/> items queued: beyond it items are
/// dropped, which the replication core tolerates (it resends from the replica's acknowledged point on its heartbeat).
/// The queue lengths are published in <see cref="ReplicatorLoad"/>, from which primaries answer new writes RetryLater.
/// </remarks>
public sealed class ReplicatorActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeId _self;
    private readonly Address _selfAddress;
    private readonly ShardSettings _settings;
    private readonly ReplicatorLoad _load;
    private readonly Dictionary<string, Destination> _destinations = new(StringComparer.Ordinal);
    private bool _flushScheduled;

    public ReplicatorActor(NodeId self, ShardSettings settings, ReplicatorLoad load)
    {
        _self = self;
        _selfAddress = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
        _settings = settings;
        _load = load;

        Receive<OutboundReplication>(OnOutbound);
        Receive<Flush>(_ => FlushAll());
        Receive<ReplicationBatchAck>(OnAck);
        Receive<CheckAcks>(_ => OnCheckAcks());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeId self, ShardSettings settings, ReplicatorLoad load) =>
        Akka.Actor.Props.Create(() => new ReplicatorActor(self, settings, load));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("check-acks", CheckAcks.Instance, TimeSpan.FromTicks(Math.Max(_settings.BatchAckTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10)));

    private void OnOutbound(OutboundReplication message)
    {
        var destination = DestinationOf(message.To);
        if (destination.Queue.Count >= _settings.MaxQueuedPerDestination)
        {
            if (destination.Dropped++ % 10_000 == 0)
                _log.Warning("Replication to {0} is backed up ({1} items queued): dropping items, the replicas will be caught up", message.To, destination.Queue.Count);
            return;
        }
        // A snapshot bigger than half a batch goes in pieces, so every batch fits in one Akka.Remote frame.
        foreach (var item in SnapshotChunks.Split(StoreWire.ToItem(message.Partition, message.Message), _settings.MaxBatchBytes / 2))
            destination.Queue.Enqueue(item);
        _load.Set(message.To, destination.Queue.Count);
        if (destination.Queue.Count >= _settings.MaxBatchItems)
            Send(destination);
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            Self.Tell(Flush.Instance);
        }
    }

    private void FlushAll()
    {
        _flushScheduled = false;
        foreach (var destination in _destinations.Values)
            SendDue(destination);
    }

    /// <summary>
    /// Self-clocked, as TCP's Nagle rule: a destination with nothing in flight gets what is queued at once; while a batch
    /// is in flight there, items wait and go out together when its acknowledgement comes back, unless a whole batch is
    /// queued. Under load that makes a few large batches per round trip instead of one small batch per item.
    /// </summary>
    private void SendDue(Destination destination)
    {
        while (destination.Queue.Count > 0 && destination.InFlight.Count < _settings.MaxBatchesInFlight
               && (destination.InFlight.Count == 0 || destination.Queue.Count >= _settings.MaxBatchItems))
            Send(destination);
    }

    private void Send(Destination destination)
    {
        if (destination.InFlight.Count >= _settings.MaxBatchesInFlight || destination.Queue.Count == 0)
            return;
        var batch = new ReplicationBatch { FromNode = _self.Value, BatchId = ++destination.LastBatchId };
        // Bounded by items and by bytes: one batch must fit in one Akka.Remote frame
        // (akka.remote.dot-netty.tcp.maximum-frame-size), or the transport drops it.
        var bytes = 0;
        while (batch.Items.Count < _settings.MaxBatchItems && destination.Queue.TryPeek(out var next))
        {
            var size = next.CalculateSize();
            if (batch.Items.Count > 0 && bytes + size > _settings.MaxBatchBytes) break;
            batch.Items.Add(destination.Queue.Dequeue());
            bytes += size;
        }
        destination.InFlight.Enqueue((batch.BatchId, Environment.TickCount64));
        destination.Shards.Tell(batch, Self);
        _load.Set(destination.Node, destination.Queue.Count);
    }

    private void OnAck(ReplicationBatchAck ack)
    {
        if (!_destinations.TryGetValue(ack.FromNode, out var destination))
            return;
        while (destination.InFlight.Count > 0 && destination.InFlight.Peek().Id <= ack.ThroughBatchId)
            destination.InFlight.Dequeue();
        SendDue(destination);
    }

    private void OnCheckAcks()
    {
        var expired = Environment.TickCount64 - (long)_settings.BatchAckTimeout.TotalMilliseconds;
        foreach (var destination in _destinations.Values)
        {
            var lost = false;
            while (destination.InFlight.Count > 0 && destination.InFlight.Peek().SentAt < expired)
            {
                destination.InFlight.Dequeue();
                lost = true;
            }
            if (lost)
                SendDue(destination);
        }
    }

    private Destination DestinationOf(string node)
    {
        if (_destinations.TryGetValue(node, out var destination))
            return destination;
        var colon = node.LastIndexOf(':');
        var address = new Address(_selfAddress.Protocol, _selfAddress.System, node[..colon], int.Parse(node[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var path = new RootActorPath(address) / "user" / StoreHost.ShardsName;
        destination = new Destination(node, Context.ActorSelection(path));
        _destinations[node] = destination;
        return destination;
    }

    private sealed class Destination(string node, ActorSelection shards)
    {
        public string Node { get; } = node;
        public ActorSelection Shards { get; } = shards;
        public Queue<Wire.Store.ReplicationItem> Queue { get; } = new();
        public Queue<(long Id, long SentAt)> InFlight { get; } = new();
        public long LastBatchId { get; set; }
        public long Dropped { get; set; }
    }

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed class CheckAcks
    {
        public static readonly CheckAcks Instance = new();
    }
}
