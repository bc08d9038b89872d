using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using KvActors.Storage;
using KvActors.Store.Replication;
using WireRing = KvActors.Store.Wire.Ring;

namespace KvActors.Store.Shards;

/// <summary>
/// Carries out a <see cref="PartitionReplica"/>'s effects for one <see cref="ShardActor"/>, in order: durable effects
/// through the node's storage engine, completed before any later send, report or reply; sends through the node's
/// ReplicatorActor; reports to the RingManager; replies to every sender waiting on a request; reads of the log for a
/// returning replica, answered to the actor as a <see cref="LogRead"/>.
/// </summary>
/// <remarks>
/// <para>What is durable: the partition's replication log, as the core describes it. <see cref="AppendToLog"/> appends
/// each prepared entry (with its epoch, and its request id in the record's tag) before the acknowledgement that follows
/// it is sent; <see cref="TruncateLogAfter"/> voids a replaced tail; <see cref="RecordEpoch"/> and
/// <see cref="RecordCommitPoint"/> are kept as the partition's <see cref="ReplicaMark"/>; <see cref="SaveSnapshot"/> and
/// <see cref="InstallSnapshot"/> save snapshots with the kept answers in their tag. So with fsync=always a backup's
/// acknowledgement is backed by its disk, and a restarted node recovers its log, epoch and commit point
/// (<see cref="ShardRecovery"/>). <see cref="ApplyCommitted"/> needs nothing more on disk: the commit point covers it.</para>
/// <para>Reports: <see cref="ReplicaSilent"/>, <see cref="LearnerCaughtUp"/> and <see cref="PrimarySuspected"/> go to the
/// RingManager's proxy as the ring protocol's messages. <see cref="JoinRequest"/> and <see cref="ConfigRequest"/> are
/// logged at debug level and dropped: the RingManager learns of joining and restarted nodes from membership events, and
/// republishes the ring, which each node's keeper applies.</para>
/// <para>Each report about another node is noted on the node's EventStream (<see cref="ShardReportNoted"/>), where
/// <see cref="ShardReportLog"/> makes one line of all partitions' reports, not one per partition.
/// <paramref name="primary"/> says whom the replica follows, for a suspicion's note.</para>
/// </remarks>
internal sealed class ShardEffects(int partition, IStorageEngine engine, IActorRef replicator, IActorRef manager, ILoggingAdapter log,
    EventStream events, Func<string?> primary)
{
    private readonly Dictionary<RequestId, Waiters> _waiting = new();
    private readonly List<Task> _durable = new();
    private readonly List<LogWrite> _logWrites = new(); // gathered for one write at the next Durable()
    private ReplicaMark _mark;

    /// <summary>Committed writes applied here (observability and tests).</summary>
    public long Applied { get; private set; }

    /// <summary>The mark recovered from storage: later marks only raise it.</summary>
    public void Recovered(ReplicaMark mark) => _mark = mark;

    /// <summary>Remembers that <paramref name="sender"/> waits for the answer to <paramref name="request"/>.</summary>
    public void Await(RequestId request, IActorRef sender)
    {
        ref var waiters = ref CollectionsMarshal.GetValueRefOrAddDefault(_waiting, request, out _);
        waiters.Add(sender);
    }

    public async Task Run(IReadOnlyList<ReplicaEffect> effects, IActorRef self)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case AppendToLog append:
                    for (var i = 0; i < append.Entries.Count; i++)
                        _logWrites.Add(LogWrite.Append(append.Entries[i].Seq, ToStorage(append.Entries[i])));
                    break;
                case TruncateLogAfter truncate:
                    _logWrites.Add(LogWrite.TruncateAfter(truncate.Seq));
                    break;
                case RecordEpoch epoch:
                    Mark(_mark with { Epoch = Math.Max(_mark.Epoch, epoch.Epoch) });
                    break;
                case RecordCommitPoint commit:
                    Mark(_mark with { CommitPoint = Math.Max(_mark.CommitPoint, commit.Seq) });
                    break;
                case SaveSnapshot save:
                    await Durable();
                    Track(Save(save.Snapshot, keepLogAfter: save.DiscardLogThrough));
                    break;
                case InstallSnapshot install:
                    // The snapshot replaces the whole log: void the old history's tail first, then save.
                    _logWrites.Add(LogWrite.TruncateAfter(install.Snapshot.Seq));
                    await Durable();
                    Track(Save(install.Snapshot, keepLogAfter: install.Snapshot.Seq));
                    break;
                case ApplyCommitted:
                    Applied++;
                    break;
                case SendToReplica send:
                    await Durable();
                    replicator.Tell(new OutboundReplication(send.To, partition, send.Message), self);
                    break;
                case ReportToManager report:
                    await Durable();
                    Report(report.Report, self);
                    break;
                case ReadLog read:
                    await Durable();
                    ReadLogFor(read, self);
                    break;
                case ReplyToClient reply:
                    await Durable();
                    if (_waiting.Remove(reply.Reply.Request, out var waiters))
                        waiters.Tell(StoreWire.ToReply(reply.Reply), self);
                    break;
            }
        }
        await Durable();
    }

    private void Mark(ReplicaMark mark)
    {
        if (mark == _mark)
            return;
        _mark = mark;
        _logWrites.Add(LogWrite.RecordMark(mark));
    }

    /// <summary>Saves a snapshot; the log after <paramref name="keepLogAfter"/> stays readable for catch-up (the previous snapshot's seq when this replica saved it).</summary>
    private ValueTask Save(ReplicaSnapshot snapshot, long keepLogAfter) =>
        engine.SaveSnapshotAsync(partition, snapshot.Seq, snapshot.Data, snapshot.Epoch, DurableTags.OfRequests(snapshot.Requests),
            expiries: snapshot.Expiries, keepLogAfter: keepLogAfter);

    /// <summary>A durable effect under way; one already done (the usual case under fsync everysec) needs no waiting.</summary>
    private void Track(ValueTask durable)
    {
        if (durable.IsCompletedSuccessfully)
            return;
        _durable.Add(durable.AsTask());
    }

    private static StorageOperation ToStorage(LogEntry entry)
    {
        var op = entry.Operation;
        var kind = op.Kind switch
        {
            KvOperationKind.Put => OperationKind.Put,
            KvOperationKind.Delete => OperationKind.Delete,
            _ => OperationKind.Noop,
        };
        return new StorageOperation(kind, op.Key, op.Value ?? ReadOnlyMemory<byte>.Empty, entry.Epoch,
            DurableTags.OfRequest(entry.Request, entry.Outcome), op.ExpiresAtMs);
    }

    /// <summary>
    /// Completes every durable effect so far: the log records gathered since the last call go to the engine as one write
    /// (one system call under fsync everysec, instead of one per record: an append and the mark after it were two), then
    /// whatever is still under way is awaited.
    /// </summary>
    private async Task Durable()
    {
        if (_logWrites.Count > 0)
        {
            var written = engine.WriteAsync(partition, _logWrites);
            _logWrites.Clear(); // the engine is done with the list when WriteAsync returns
            Track(written);
        }
        if (_durable.Count == 0)
            return;
        try
        {
            await Task.WhenAll(_durable);
        }
        finally
        {
            _durable.Clear();
        }
    }

    /// <summary>
    /// Reads the log for a returning replica in the background; the answer comes back to the actor as a
    /// <see cref="LogRead"/>, with no entries when the engine compacted them or could not read them (then the replica
    /// gets a snapshot).
    /// </summary>
    private void ReadLogFor(ReadLog read, IActorRef self)
    {
        engine.ReadSinceAsync(partition, read.AfterSeq, read.MaxEntries).AsTask().ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully)
            {
                log.Warning("Partition {0}: the log after seq {1} could not be read for {2}, who gets a snapshot instead: {3}",
                    partition, read.AfterSeq, read.For, t.Exception?.GetBaseException().Message);
                return new LogRead(read.For, read.AfterSeq, null);
            }
            return new LogRead(read.For, read.AfterSeq, t.Result.Compacted ? null : t.Result.Records.Select(ShardRecovery.ToEntry).ToArray());
        }, TaskScheduler.Default).PipeTo(self);
    }

    private void Report(ManagerReport report, IActorRef self)
    {
        switch (report)
        {
            case ReplicaSilent silent:
                events.Publish(new ShardReportNoted(ShardReportKind.ReplicaSilent, partition, silent.Replica, silent.Epoch));
                manager.Tell(new WireRing.ReplicaSilent { Partition = partition, Node = silent.Replica, Epoch = silent.Epoch }, self);
                break;
            case LearnerCaughtUp caughtUp:
                log.Debug("Partition {0}: learner {1} caught up at epoch {2}; reporting it", partition, caughtUp.Learner, caughtUp.Epoch);
                manager.Tell(new WireRing.LearnerCaughtUp { Partition = partition, Node = caughtUp.Learner, Epoch = caughtUp.Epoch }, self);
                break;
            case PrimarySuspected suspected:
                events.Publish(new ShardReportNoted(ShardReportKind.PrimarySuspected, partition, primary() ?? "", suspected.Epoch));
                manager.Tell(new WireRing.PrimarySuspected
                {
                    Partition = partition, Node = suspected.From, Epoch = suspected.Epoch, LastSeq = suspected.LastSeq,
                    SinceLastGrantMs = suspected.SinceLastGrantMs ?? -1,
                }, self);
                break;
            default:
                log.Debug("Partition {0}: report {1} dropped (the RingManager learns of joins and configuration through membership and the ring)", partition, report);
                break;
        }
    }

    /// <summary>Who waits for one request's answer: nearly always one sender, kept without a list (one per write, else).</summary>
    private struct Waiters
    {
        private IActorRef? _first;
        private List<IActorRef>? _more; // a retry of the same request from another sender

        public void Add(IActorRef sender)
        {
            if (_first is null)
                _first = sender;
            else if (!_first.Equals(sender) && !(_more?.Contains(sender) ?? false))
                (_more ??= []).Add(sender);
        }

        public readonly void Tell(object message, IActorRef self)
        {
            _first?.Tell(message, self);
            if (_more is not null)
                foreach (var sender in _more)
                    sender.Tell(message, self);
        }
    }
}
