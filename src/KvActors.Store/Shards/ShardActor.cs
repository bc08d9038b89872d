using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using KvActors.Storage;
using KvActors.Store.Partitioning;
using KvActors.Store.Replication;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Shards;

/// <summary>
/// One partition on one node (a child of the node's <see cref="ShardHost"/>, named <c>p{partition}</c>): a thin shell
/// over one <see cref="PartitionReplica"/>. It feeds the core the partition's replica set from each ring
/// (<see cref="ShardRing"/>), client requests (<see cref="PutRequest"/>, <see cref="DeleteRequest"/>,
/// <see cref="CommandRequest"/>, <see cref="GetRequest"/>, forwarded by the host with the client as sender), other replicas' messages
/// (<see cref="InboundReplication"/>) and ticks when the core needs them, and carries out the effects in order (<see cref="ShardEffects"/>).
/// </summary>
/// <remarks>
/// At start it loads the partition from the storage engine (messages meanwhile are stashed): nothing on disk -> a new
/// replica; otherwise <see cref="PartitionReplica.Recover"/> from its snapshot, log, epoch and commit point
/// (<see cref="ShardRecovery"/>): it adopts only a newer epoch than it had, waits out a lease period before serving as
/// primary, and catches up from the primary as a backup. A key or value over its limit is refused
/// (<see cref="Refused"/>) before the core sees it. While the replicator's queue to one of the partition's replicas is
/// congested, new writes are answered RetryLater (back-pressure instead of an unbounded queue).
/// Ticks: after every message the core says when it next has something to do (<see cref="PartitionReplica.NextTickAt"/>),
/// and the actor ticks at the first point of the node's tick grid from then on. An idle partition so ticks once per
/// heartbeat interval as primary and once per grace period as replica, instead of at every grid point.
/// </remarks>
public sealed class ShardActor : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _partition;
    private readonly NodeId _self;
    private readonly IStorageEngine _engine;
    private readonly ShardSettings _settings;
    private readonly ReplicatorLoad? _load;
    private readonly ShardEffects _effects;
    private PartitionReplica _replica = null!;
    private long _tickAt = long.MaxValue; // when the scheduled tick comes (monotonic ms); MaxValue: none scheduled

    public ShardActor(int partition, NodeId self, IStorageEngine engine, IActorRef replicator, IActorRef manager, ShardSettings settings, ReplicatorLoad? load)
    {
        _partition = partition;
        _self = self;
        _engine = engine;
        _settings = settings;
        _load = load;
        _effects = new ShardEffects(partition, engine, replicator, manager, _log, Context.System.EventStream, () => _replica?.Config?.Primary);

        Receive<Loaded>(OnLoaded);
        ReceiveAny(_ => Stash.Stash());
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(int partition, NodeId self, IStorageEngine engine, IActorRef replicator, IActorRef manager, ShardSettings settings, ReplicatorLoad? load = null) =>
        Akka.Actor.Props.Create(() => new ShardActor(partition, self, engine, replicator, manager, settings, load));

    /// <summary>The monotonic clock the core runs on (ms).</summary>
    private static long Now => Environment.TickCount64;

    /// <summary>The wall clock expiries are measured against (Unix ms).</summary>
    private static long WallNow => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    protected override void PreStart()
    {
        var self = Self;
        _engine.LoadPartitionAsync(_partition).AsTask().ContinueWith(
            t => t.IsCompletedSuccessfully ? new Loaded(t.Result, null) : new Loaded(null, t.Exception?.GetBaseException()),
            TaskScheduler.Default).PipeTo(self);
    }

    private void OnLoaded(Loaded loaded)
    {
        if (loaded.Failure is not null)
            throw new InvalidOperationException($"Partition {_partition} could not be loaded from storage: {loaded.Failure.Message}", loaded.Failure);
        var state = loaded.State!;
        if (ShardRecovery.IsEmpty(state))
            _replica = PartitionReplica.CreateNew(_self.Value, _settings.Replication);
        else
        {
            var durable = ShardRecovery.ToDurable(state, out var ignored);
            if (ignored is not null)
                _log.Warning("Partition {0}: {1}", _partition, ignored);
            _effects.Recovered(state.Mark);
            _replica = PartitionReplica.Recover(_self.Value, _settings.Replication, durable, Now);
            _log.Info("Partition {0}: recovered at epoch {1}, commit point {2}, log through seq {3} ({4} keys committed)",
                _partition, durable.Epoch, _replica.CommitPoint, _replica.LastSeq, _replica.State.Count);
        }
        Become(Serving);
        ScheduleTick();
        Stash.UnstashAll();
    }

    private void Serving()
    {
        Receive<ShardRing>(m => Finish(OnRing(m)));
        Receive<InboundReplication>(m => Finish(Run(_replica.OnMessage(m.Message, Now))));
        Receive<LogRead>(m => Finish(Run(_replica.OnLogRead(m, Now))));
        Receive<PutRequest>(m => Finish(Write(new RequestId(m.ClientId, m.RequestId), m.Key.ToByteArray(), StoredBytes.Copy(m.Value), m.Resent)));
        Receive<DeleteRequest>(m => Finish(Write(new RequestId(m.ClientId, m.RequestId), m.Key.ToByteArray(), null, m.Resent)));
        Receive<CommandRequest>(m => Finish(OnCommand(m)));
        Receive<GetRequest>(m => Finish(OnGet(m)));
        Receive<Tick>(_ =>
        {
            _tickAt = long.MaxValue;
            Finish(Run(_replica.Tick(Now, WallNow)));
        });
        Receive<GetPartitionStats>(_ => Sender.Tell(PartitionStats.Of(_partition, _replica)));
        Receive<ScanRequest>(m => Sender.Tell(ScanReplies.Of(_partition, _replica, m, Now, WallNow, _settings.MaxBatchBytes / 2)));
    }

    /// <summary>
    /// Schedules a tick for when the core next needs one, rounded up to the next multiple of the tick interval on the
    /// monotonic clock, so the partitions of the node that need a tick get it at the same instants: one burst of work (and
    /// one replication batch of heartbeats per destination) per grid point, rather than hundreds of separate wake-ups.
    /// A tick already scheduled for that point or earlier stays: an early tick does nothing but schedule the next.
    /// </summary>
    private void ScheduleTick()
    {
        var now = Now;
        var interval = Math.Max(1, (long)_settings.TickInterval.TotalMilliseconds);
        long GridPointFrom(long t) => t + (interval - t % interval) % interval;
        // Runs after every message: when a tick is already due at the next grid point (a busy partition), no deadline
        // can bring it sooner, so the core is not asked.
        if (_tickAt <= GridPointFrom(now + 1))
            return;
        var next = _replica.NextTickAt(now, WallNow);
        if (next == long.MaxValue)
            return;
        var at = GridPointFrom(Math.Max(next, now + 1));
        if (at >= _tickAt)
            return;
        _tickAt = at;
        Timers.StartSingleTimer("tick", Tick.Instance, TimeSpan.FromMilliseconds(at - now));
    }

    private Task OnRing(ShardRing message)
    {
        if (!message.Ring[_partition].Contains(_self) || RingConfig.Of(message.Ring, _partition) is not { } config)
            return Task.CompletedTask; // not ours (the host stops this actor), or no primary
        return Run(_replica.OnConfig(config, Now));
    }

    private Task Write(RequestId request, byte[] key, byte[]? value, bool resent)
    {
        if (!Admitted(request, key, value)) return Task.CompletedTask;
        var operation = value is null ? KvOperation.Delete(key) : KvOperation.Put(key, value);
        return Run(_replica.OnClientWrite(request, operation, Now, WallNow, resent));
    }

    private Task OnCommand(CommandRequest message)
    {
        var request = new RequestId(message.ClientId, message.RequestId);
        KvCommand command;
        try
        {
            command = CommandWire.FromRequest(message);
        }
        catch (FormatException e)
        {
            Sender.Tell(StoreWire.Refused(request, e.Message));
            return Task.CompletedTask;
        }
        if (!Admitted(request, command.Key, command.Payload)) return Task.CompletedTask;
        return Run(_replica.OnClientCommand(request, command, Now, WallNow, _settings.MaxValueSize, message.Resent));
    }

    /// <summary>
    /// Whether a write or command may go to the replica: sizes within limits, not the store's own client id, replication
    /// not backed up. If so its sender awaits the answer; if not, the sender has its Refused or RetryLater already.
    /// </summary>
    private bool Admitted(RequestId request, byte[] key, byte[]? payload)
    {
        if ((Refusal(key, payload) ?? Reserved(request)) is { } reason)
        {
            Sender.Tell(StoreWire.Refused(request, reason));
            return false;
        }
        if (Congested() is { } destination)
        {
            Sender.Tell(StoreWire.ToReply(new Replication.RetryLater(request, $"replication to {destination} is backed up")));
            return false;
        }
        _effects.Await(request, Sender);
        return true;
    }

    private static string? Reserved(RequestId request) =>
        request.IsStore ? "That client id is reserved for the store's own writes; use another." : null;

    private Task OnGet(GetRequest message)
    {
        var request = new RequestId(message.ClientId, message.RequestId);
        var key = message.Key.ToByteArray();
        if (Refusal(key, null) is { } reason)
        {
            Sender.Tell(StoreWire.Refused(request, reason));
            return Task.CompletedTask;
        }
        _effects.Await(request, Sender);
        return Run(_replica.OnClientRead(request, key, message.Stale ? ReadMode.Stale : ReadMode.Leased, Now, WallNow));
    }

    private string? Refusal(byte[] key, byte[]? value) =>
        key.Length > _settings.MaxKeySize
            ? $"A key of {key.Length} bytes exceeds kvactors.storage.max-key-size ({_settings.MaxKeySize} bytes)."
            : value is not null && value.Length > _settings.MaxValueSize
                ? $"A value of {value.Length} bytes exceeds kvactors.storage.max-value-size ({_settings.MaxValueSize} bytes)."
                : null;

    private string? Congested()
    {
        if (_load is null || _replica.Config is not { } config)
            return null;
        // Every write asks: indexed loops, no enumerator or iterator allocated.
        return CongestedAmong(config.InSync) ?? CongestedAmong(config.Learners)
            ?? (config.Primary != _self.Value && _load.IsCongested(config.Primary) ? config.Primary : null);
    }

    private string? CongestedAmong(IReadOnlyList<string> members)
    {
        for (var i = 0; i < members.Count; i++)
            if (members[i] != _self.Value && _load!.IsCongested(members[i]))
                return members[i];
        return null;
    }

    /// <summary>
    /// Ends a message whose effects ran as <paramref name="effects"/>, first scheduling the tick the core now needs. Usually they are done already (under fsync
    /// everysec or never a log write completes in the caller), and the next message follows at once; only while a durable
    /// effect is really pending is the mailbox suspended until the rest of the effects ran, as ReceiveAsync would do for
    /// every message (which costs each write a suspension and a thread-pool hop). A failure fails the actor either way.
    /// </summary>
    private void Finish(Task effects)
    {
        ScheduleTick();
        if (effects.IsCompletedSuccessfully)
            return;
        if (effects.IsFaulted)
            effects.GetAwaiter().GetResult();
        ActorTaskScheduler.RunTask(() => effects);
    }

    private Task Run(IReadOnlyList<ReplicaEffect> effects) =>
        effects.Count == 0 ? Task.CompletedTask : _effects.Run(effects, Self);

    /// <summary>The partition as the engine recovered it (or why it could not).</summary>
    private sealed record Loaded(PartitionState? State, Exception? Failure);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
