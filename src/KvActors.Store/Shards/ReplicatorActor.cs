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
/// Batching: items for a destination are queued in its <see cref="ReplicationLink"/>; a flush is triggered by a message
/// to itself, so every item that arrived while the mailbox was busy rides in one <see cref="ReplicationBatch"/> (at most
/// <see cref="ShardSettings.MaxBatchItems"/>; a full batch is sent at once), and while a batch to the destination is
/// unacknowledged the queue waits for its acknowledgement (self-clocked). Acknowledgements: the local host reports each
/// batch it received (<see cref="BatchReceived"/>); the acknowledgement rides on the next batch back, or goes alone
/// (<see cref="ReplicationBatchAck"/>) when none goes within a flush (see <see cref="ReplicationLink"/>). Bounds: at most
/// <see cref="ShardSettings.MaxBatchesInFlight"/> unacknowledged batches per destination (a batch unacknowledged for
/// <see cref="ShardSettings.BatchAckTimeout"/> is given up), and at most <see cref="ShardSettings.MaxQueuedPerDestination"/>
/// items queued: beyond it items are dropped, which the replication core tolerates (it resends from the replica's
/// acknowledged point on its heartbeat). The queue lengths are published in <see cref="ReplicatorLoad"/>, from which
/// primaries answer new writes RetryLater.
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
        Receive<BatchReceived>(OnBatchReceived);
        Receive<ReplicationBatchAck>(ack => OnAck(ack.FromNode, ack.ThroughBatchId));
        Receive<CheckAcks>(_ => OnCheckAcks());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeId self, ShardSettings settings, ReplicatorLoad load) =>
        Akka.Actor.Props.Create(() => new ReplicatorActor(self, settings, load));

    private static long Now => Environment.TickCount64;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("check-acks", CheckAcks.Instance, TimeSpan.FromTicks(Math.Max(_settings.BatchAckTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10)));

    private void OnOutbound(OutboundReplication message)
    {
        var destination = DestinationOf(message.To);
        var link = destination.Link;
        if (link.Queued >= _settings.MaxQueuedPerDestination)
        {
            if (destination.Dropped++ % 10_000 == 0)
                _log.Warning("Replication to {0} is backed up ({1} items queued): dropping items, the replicas will be caught up", message.To, link.Queued);
            return;
        }
        // A snapshot bigger than half a batch goes in pieces, so every batch fits in one Akka.Remote frame.
        foreach (var item in SnapshotChunks.Split(StoreWire.ToItem(message.Partition, message.Message), _settings.MaxBatchBytes / 2))
            link.Enqueue(item);
        if (link.TakeFullBatch(_self.Value, Now) is { } full)
            Send(destination, full);
        _load.Set(message.To, link.Queued);
        ScheduleFlush();
    }

    private void OnBatchReceived(BatchReceived received)
    {
        if (!NodeAddress.TryParse(received.FromNode, _selfAddress, out _))
        {
            // Not a node name (bad input from the wire): acknowledge at once rather than keep a link to nowhere.
            Sender.Tell(new ReplicationBatchAck { FromNode = _self.Value, ThroughBatchId = received.BatchId }, Self);
            return;
        }
        var destination = DestinationOf(received.FromNode);
        destination.AckTo = Sender;
        destination.Link.Received(received.BatchId);
        if (received.AcksThroughBatchId > 0)
            OnAck(received.FromNode, received.AcksThroughBatchId);
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
        foreach (var destination in _destinations.Values)
        {
            SendDue(destination);
            if (destination.Link.TakeLoneAck(_self.Value) is { } ack)
                destination.AckTo?.Tell(ack, Self);
            if (destination.Link.OwesAck)
                ScheduleFlush(); // it goes at the next flush, on a batch or alone
        }
    }

    private void SendDue(Destination destination)
    {
        var batches = destination.Link.TakeDue(_self.Value, Now);
        foreach (var batch in batches)
            Send(destination, batch);
        if (batches.Count > 0)
            _load.Set(destination.Node, destination.Link.Queued);
    }

    private void Send(Destination destination, ReplicationBatch batch) => destination.Shards.Tell(batch, Self);

    private void OnAck(string fromNode, long throughBatchId)
    {
        if (!_destinations.TryGetValue(fromNode, out var destination))
            return;
        destination.Link.Acknowledged(throughBatchId);
        SendDue(destination);
    }

    private void OnCheckAcks()
    {
        var expired = Now - (long)_settings.BatchAckTimeout.TotalMilliseconds;
        foreach (var destination in _destinations.Values)
            if (destination.Link.ExpireSentBefore(expired))
                SendDue(destination);
    }

    private Destination DestinationOf(string node)
    {
        if (_destinations.TryGetValue(node, out var destination))
            return destination;
        if (!NodeAddress.TryParse(node, _selfAddress, out var address))
            throw new ArgumentException($"'{node}' is not a node's host:port.", nameof(node));
        // A resolved ref, not an ActorSelection: a selection's every message is wrapped in a selection envelope, copied
        // twice more on the wire and matched by path at the receiver (a tenth of a busy node's allocations). The path
        // carries no actor uid, so the ref still reaches the host of a node restarted on the same address.
        var path = new RootActorPath(address) / "user" / StoreHost.ShardsName;
        destination = new Destination(node, ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(path),
            new ReplicationLink(node, _settings.MaxBatchItems, _settings.MaxBatchBytes, _settings.MaxBatchesInFlight));
        _destinations[node] = destination;
        return destination;
    }

    private sealed class Destination(string node, IActorRef shards, ReplicationLink link)
    {
        public string Node { get; } = node;
        public IActorRef Shards { get; } = shards;
        public ReplicationLink Link { get; } = link;

        /// <summary>The node's ReplicatorActor, which sent the batches this node owes an acknowledgement for.</summary>
        public IActorRef? AckTo { get; set; }

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
