using Akka.Actor;
using Akka.Event;
using KvActors.Storage;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Wire.Admin;
using KvActors.Store.Wire.Ring;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// One per node at <see cref="StoreHost.ShardsPath"/>: runs one <see cref="ShardActor"/> (child <c>p{n}</c>) per partition
/// the ring gives this node (primary, in-sync replica or learner). It follows <see cref="RingApplied"/> on the local
/// EventStream and, at start, asks the local keeper (<c>GetRing</c>) for the ring it loaded from disk; a partition the
/// node loses is stopped, and its storage is kept for a while in case the ring gives it back (<see cref="KeptPartitions"/>:
/// its replica then starts from what it had and catches up on what it missed) or dropped. It routes client requests by
/// key to the partition's actor (answering NotPrimary, with the ring's primary as hint, for a partition it does not hold)
/// and unpacks inbound <see cref="ReplicationBatch"/>es to the partitions' actors, then tells the node's
/// <see cref="ReplicatorActor"/> (<see cref="BatchReceived"/>), which acknowledges the batch to its sender; a snapshot
/// that came in pieces is joined first (<see cref="SnapshotAssembler"/>). A <see cref="ScanRequest"/> (a page of a
/// partition's keys) goes to the partition's actor the same way, or is answered by <see cref="ScanReplies.NotHeld"/>.
/// </summary>
/// <remarks>
/// A client's <see cref="KvRequestBatch"/> is unpacked the same way, each request passed on with the host as its sender;
/// the shards' answers are gathered per client (<see cref="BatchedReplies"/>, which says when they are due) and sent
/// back in <see cref="KvReplyBatch"/>es, the answers to one client message together. The host checks what is due with a message to itself after every answer, so
/// every answer that arrived while the mailbox was busy is considered together, and with a timer while anything is
/// held (<see cref="ReplyHold"/>).
/// </remarks>
public sealed class ShardHost : ReceiveActor, IWithTimers
{
    /// <summary>How long the host remembers which client waits for a batched request its shard has not answered.</summary>
    private static readonly TimeSpan BatchedRequestMemory = TimeSpan.FromSeconds(30);

    /// <summary>The longest an answer is held back for others to join it: far below a request's latency under load.</summary>
    private static readonly TimeSpan ReplyHold = TimeSpan.FromMilliseconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NodeId _self;
    private readonly IStorageEngine _engine;
    private readonly IActorRef _replicator;
    private readonly IActorRef _manager;
    private readonly ShardSettings _settings;
    private readonly ReplicatorLoad? _load;
    private readonly Dictionary<int, IActorRef> _shards = new();
    private readonly Dictionary<IActorRef, int> _stopping = new();
    private readonly SnapshotAssembler _assembler = new();
    private readonly PartitionLoads _loads = new();
    private readonly KeptPartitions _kept;
    private readonly PartitionChangeLog _changes = new();
    private IReadOnlyCollection<int>? _onDiskAtStart; // until the first ring: what storage held when the node started
    private readonly BatchedReplies _replies;
    private long _requestBatches; // numbers the clients' KvRequestBatches as they arrive (BatchedReplies answers per message)
    private bool _flushScheduled;
    private RingState? _ring;
    private Partitioner? _partitioner;
    private LocalShards? _published;

    public ShardHost(NodeId self, IStorageEngine engine, IActorRef replicator, IActorRef manager, ShardSettings settings, ReplicatorLoad? load)
    {
        _self = self;
        _engine = engine;
        _replicator = replicator;
        _manager = manager;
        _settings = settings;
        _load = load;
        _replies = new BatchedReplies(settings.MaxBatchBytes, (long)ReplyHold.TotalMilliseconds);
        _kept = new KeptPartitions(self, settings.KeepLostPartitionsFor);

        Receive<RingApplied>(m => Apply(m.Ring));
        Receive<RingReply>(m =>
        {
            if (RingWire.FromProtoOrNull(m.Ring) is { } ring) Apply(ring);
        });
        Receive<PutRequest>(m => Route(m.Key, m.ClientId, m.RequestId, m));
        Receive<DeleteRequest>(m => Route(m.Key, m.ClientId, m.RequestId, m));
        Receive<GetRequest>(m => Route(m.Key, m.ClientId, m.RequestId, m));
        Receive<CommandRequest>(m => Route(m.Key, m.ClientId, m.RequestId, m));
        Receive<ReplicationBatch>(OnBatch);
        Receive<KvRequestBatch>(OnRequestBatch);
        Receive<KvReply>(OnShardReply);
        Receive<FlushReplies>(_ => SendGatheredReplies());
        Receive<ForgetStaleRequests>(_ => _replies.ForgetOlderThan(Environment.TickCount64 - (long)BatchedRequestMemory.TotalMilliseconds));
        Receive<Terminated>(OnTerminated);
        Receive<DropExpiredPartitions>(_ =>
        {
            DropAll(_kept.Due(_ring, Environment.TickCount64), "kept long enough");
            LogChanges();
        });
        Receive<StoreStatsRequest>(OnStoreStats);
        Receive<PartitionStatsRequest>(OnPartitionStats);
        Receive<PartitionStats>(_ => OnLoaded(Sender));
        Receive<ScanRequest>(m =>
        {
            if (_shards.TryGetValue(m.Partition, out var shard)) shard.Forward(m);
            else Sender.Tell(ScanReplies.NotHeld(m.Partition, _ring));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeId self, IStorageEngine engine, IActorRef replicator, IActorRef manager, ShardSettings settings, ReplicatorLoad? load = null) =>
        Akka.Actor.Props.Create(() => new ShardHost(self, engine, replicator, manager, settings, load));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(RingApplied));
        if (Self.Path.ToStringWithoutAddress() == StoreHost.ShardsPath)
            _published = LocalShards.Get(Context.System); // the node's own host: its shards serve local front ends directly
        Context.ActorSelection(RingPaths.KeeperPath).Tell(new GetRing(), Self);
        Timers.StartPeriodicTimer("forget-stale-requests", ForgetStaleRequests.Instance, BatchedRequestMemory / 4);
        _onDiskAtStart = _engine.ListPartitions();
        if (_kept.KeepFor > TimeSpan.Zero)
            Timers.StartPeriodicTimer("drop-expired-partitions", DropExpiredPartitions.Instance, KeptPartitionsCheck(_kept.KeepFor));
    }

    /// <summary>How often kept partitions are checked for expiry: a small fraction of the keep time, within 1 s..30 s.</summary>
    private static TimeSpan KeptPartitionsCheck(TimeSpan keepFor) =>
        TimeSpan.FromMilliseconds(Math.Clamp(keepFor.TotalMilliseconds / 10, 1_000, 30_000));

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _published?.Clear();
    }

    private void Apply(RingState ring)
    {
        if (_ring is { } current && ring.Epoch <= current.Epoch)
            return;
        _ring = ring;
        if (_partitioner?.PartitionCount != ring.PartitionCount)
            _partitioner = new Partitioner(ring.PartitionCount);
        var message = new ShardRing(ring);
        for (var p = 0; p < ring.PartitionCount; p++)
        {
            var holds = ring[p].Contains(_self);
            if (holds)
            {
                if (!_shards.TryGetValue(p, out var shard))
                {
                    if (_kept.Regained(p))
                        _changes.Add("held by this node again, their replicas starting from the storage kept since they were lost", p);
                    shard = Context.ActorOf(ShardActor.Props(p, _self, _engine, _replicator, _manager, _settings, _load), $"p{p}-{ring.Epoch}");
                    _shards[p] = shard;
                    _loads.Started(shard, Environment.TickCount64);
                    // A shard answers only once it has loaded (it stashes until then): the answer says it is ready.
                    shard.Tell(GetPartitionStats.Instance);
                }
                shard.Tell(message);
            }
            else if (_shards.Remove(p, out var lost))
            {
                _assembler.Forget(p);
                Context.Watch(lost);
                _stopping[lost] = p;
                Context.Stop(lost);
            }
        }
        var now = Environment.TickCount64;
        if (_onDiskAtStart is { } onDisk)
        {
            // Partitions on disk that even the first ring leaves out: lost while the node was down (or before).
            _onDiskAtStart = null;
            foreach (var p in onDisk)
                if (!_shards.ContainsKey(p))
                    KeepOrDrop(p, now);
        }
        DropAll(_kept.Due(ring, now), "their replica sets are complete without this node, or they were kept long enough");
        _published?.Publish(ring.PartitionCount, _shards);
        LogChanges();
    }

    /// <summary>Logs the partition changes gathered so far, one line per kind.</summary>
    private void LogChanges()
    {
        foreach (var line in _changes.Take())
            _log.Info("{0}", line);
    }

    /// <summary>A partition this node no longer holds (its actor stopped): its storage is kept for a while, or dropped now.</summary>
    private void KeepOrDrop(int partition, long now)
    {
        if (_kept.Lost(partition, _ring, now))
            _changes.Add($"no longer held by this node, their storage kept for {_kept.KeepFor.TotalSeconds:0.#} s in case the ring gives them back", partition);
        else
            Drop(partition, _kept.KeepFor > TimeSpan.Zero ? "their replica sets are complete without this node" : "storage of lost partitions is not kept");
    }

    private void DropAll(IReadOnlyList<int> partitions, string why)
    {
        foreach (var partition in partitions)
            Drop(partition, why);
    }

    private void Drop(int partition, string why)
    {
        _changes.Add($"no longer held by this node, their storage dropped ({why})", partition);
        _engine.DropPartitionAsync(partition).AsTask().ContinueWith(
            t => _log.Warning("Dropping partition {0} from storage failed: {1}", partition, t.Exception?.GetBaseException().Message),
            TaskContinuationOptions.OnlyOnFaulted);
    }

    private void OnLoaded(IActorRef shard)
    {
        if (_loads.Finished(shard, Environment.TickCount64) is not { } burst)
            return;
        var uptime = DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime;
        _log.Info("All partitions loaded: {0} in {1} ms (ring epoch {2}; {3:0} ms since the process started)",
            burst.Partitions, burst.ElapsedMs, _ring?.Epoch ?? 0, uptime.TotalMilliseconds);
    }

    private void OnTerminated(Terminated terminated)
    {
        OnLoaded(terminated.ActorRef); // stopped before it loaded: no longer awaited
        if (!_stopping.Remove(terminated.ActorRef, out var partition))
            return;
        if (!_shards.ContainsKey(partition)) // else held again meanwhile: a new actor owns its storage
            KeepOrDrop(partition, Environment.TickCount64);
        if (_stopping.Count == 0)
            LogChanges(); // the last of a ring change's stops: its partitions in one line
    }

    private void Route(Google.Protobuf.ByteString key, string clientId, long requestId, object request)
    {
        var id = new Replication.RequestId(clientId, requestId);
        if (_ring is null || _partitioner is null)
        {
            Sender.Tell(StoreWire.ToReply(new Replication.RetryLater(id, $"{_self} has no ring yet")));
            return;
        }
        var partition = _partitioner.PartitionOf(key.Span);
        if (_shards.TryGetValue(partition, out var shard))
            shard.Forward(request);
        else
            Sender.Tell(StoreWire.ToReply(new Replication.NotPrimary(id, _ring.Epoch, _ring[partition].Primary?.Value)));
    }

    /// <summary>Every partition held here reports to a <see cref="StatsGatherer"/>, which answers the sender with the sum.</summary>
    private void OnStoreStats(StoreStatsRequest request)
    {
        var node = _self.Value;
        var epoch = _ring?.Epoch ?? 0;
        Context.ActorOf(StatsGatherer.Props(_shards.Values.ToList(), StatsWire.Timeout(request.TimeoutMs), Sender,
            (reports, unanswered) => StatsWire.ToReply(node, epoch, NodeStats.Aggregate(reports, unanswered))));
    }

    private void OnPartitionStats(PartitionStatsRequest request)
    {
        var node = _self.Value;
        var partition = request.Partition;
        if (!_shards.TryGetValue(partition, out var shard))
        {
            Sender.Tell(StatsWire.NotHeld(node, partition));
            return;
        }
        Context.ActorOf(StatsGatherer.Props([shard], StatsWire.Timeout(request.TimeoutMs), Sender,
            (reports, _) => reports.Count == 0 ? StatsWire.Unanswered(node, partition) : StatsWire.ToReply(node, reports[0])));
    }

    private void OnRequestBatch(KvRequestBatch batch)
    {
        var client = Sender;
        var now = Environment.TickCount64;
        var arrival = ++_requestBatches;
        foreach (var request in batch.Requests)
        {
            var (key, clientId, requestId, message) = request.RequestCase switch
            {
                KvRequest.RequestOneofCase.Put => (request.Put.Key, request.Put.ClientId, request.Put.RequestId, (object?)request.Put),
                KvRequest.RequestOneofCase.Get => (request.Get.Key, request.Get.ClientId, request.Get.RequestId, request.Get),
                KvRequest.RequestOneofCase.Delete => (request.Delete.Key, request.Delete.ClientId, request.Delete.RequestId, request.Delete),
                KvRequest.RequestOneofCase.Command => (request.Command.Key, request.Command.ClientId, request.Command.RequestId, request.Command),
                _ => (Google.Protobuf.ByteString.Empty, "", 0L, null),
            };
            if (message is null)
                continue; // an empty request (a newer client's kind of request?) has nobody to answer
            var id = new Replication.RequestId(clientId, requestId);
            if (_ring is null || _partitioner is null)
            {
                Gather(client, StoreWire.ToReply(new Replication.RetryLater(id, $"{_self} has no ring yet")), now, arrival);
                continue;
            }
            var partition = _partitioner.PartitionOf(key.Span);
            if (_shards.TryGetValue(partition, out var shard))
            {
                _replies.Expect(id, client, now, arrival);
                shard.Tell(message, Self);
            }
            else
                Gather(client, StoreWire.ToReply(new Replication.NotPrimary(id, _ring.Epoch, _ring[partition].Primary?.Value)), now, arrival);
        }
        ScheduleFlush();
    }

    /// <summary>A shard's answer to a request that came in a batch (answers to requests sent alone go to their sender directly).</summary>
    private void OnShardReply(KvReply reply)
    {
        if (_replies.Answered(reply, Environment.TickCount64) is { } full)
            full.Client.Tell(full.Batch, Self);
        ScheduleFlush();
    }

    private void Gather(IActorRef client, KvReply reply, long now, long message)
    {
        if (_replies.Add(client, reply, now, message) is { } full)
            full.Client.Tell(full.Batch, Self);
    }

    private void ScheduleFlush()
    {
        if (_flushScheduled)
            return;
        _flushScheduled = true;
        Self.Tell(FlushReplies.Instance);
    }

    private void SendGatheredReplies()
    {
        _flushScheduled = false;
        foreach (var (client, batch) in _replies.TakeDue(Environment.TickCount64))
            client.Tell(batch, Self);
        if (_replies.AnyGathered && !Timers.IsTimerActive("reply-hold"))
            Timers.StartSingleTimer("reply-hold", FlushReplies.Instance, ReplyHold);
    }

    private void OnBatch(ReplicationBatch batch)
    {
        foreach (var item in batch.Items)
        {
            if (!_shards.TryGetValue(item.Partition, out var shard))
                continue; // not held here (yet): the sender resends once the rings agree
            try
            {
                if (_assembler.Accept(item, out var problem) is { } whole)
                    shard.Tell(new InboundReplication(StoreWire.FromItem(whole)), Sender);
                else if (problem is not null)
                    _log.Warning("Partition {0}: {1}", item.Partition, problem);
            }
            catch (FormatException e)
            {
                _log.Warning("A replication item from {0} was ignored: {1}", batch.FromNode, e.Message);
            }
        }
        // After the items: the shards' answers reach the replicator behind this, so the acknowledgement can ride with them.
        _replicator.Tell(new BatchReceived(batch.FromNode, batch.BatchId, batch.AcksThroughBatchId), Sender);
    }

    /// <summary>The host's message to itself: send the gathered answers that are due.</summary>
    private sealed class FlushReplies
    {
        public static readonly FlushReplies Instance = new();
    }

    /// <summary>The host's periodic timer message: drop the storage of lost partitions kept long enough.</summary>
    private sealed class DropExpiredPartitions
    {
        public static readonly DropExpiredPartitions Instance = new();
    }

    /// <summary>The host's periodic timer message: forget batched requests whose shard never answered.</summary>
    private sealed class ForgetStaleRequests
    {
        public static readonly ForgetStaleRequests Instance = new();
    }
}
