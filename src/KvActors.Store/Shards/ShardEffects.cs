using Akka.Actor;
using Akka.Event;
using KvActors.Storage;
using KvActors.Store.Replication;
using WireRing = KvActors.Store.Wire.Ring;

namespace KvActors.Store.Shards;

/// <summary>
/// Carries out a <see cref="PartitionReplica"/>'s effects for one <see cref="ShardActor"/>, in order: durable effects
/// through the node's storage engine, completed before any later send, report or reply; sends through the node's
/// ReplicatorActor; reports to the RingManager; replies to every sender waiting on a request.
/// </summary>
/// <remarks>
/// <para>What is durable, and what is not (yet). <see cref="IStorageEngine"/> logs (partition, seq, Put/Delete) and
/// snapshots; it cannot truncate entries, and keeps neither epochs nor request ids. So the shell persists only what is
/// <em>committed</em>: each <see cref="ApplyCommitted"/> is appended (at its seq), <see cref="SaveSnapshot"/> and
/// <see cref="InstallSnapshot"/> are saved as snapshots. The uncommitted tail (<see cref="AppendToLog"/>,
/// <see cref="TruncateLogAfter"/>) lives only in the core's in-memory log, and <see cref="RecordEpoch"/> /
/// <see cref="RecordCommitPoint"/> are not persisted (the commit point is implied by the last committed record). Consequences:
/// a backup's acknowledgement is not backed by its disk, so an acknowledged write survives the crash of fewer than RF
/// nodes (it is in the memory of every in-sync replica) but not a crash of every replica at once before it is
/// committed and appended everywhere; and a restarted node does not know the epoch it last adopted, so it may adopt
/// the current ring's epoch again (see <see cref="ShardActor"/>).</para>
/// <para>Reports: <see cref="ReplicaSilent"/> and <see cref="LearnerCaughtUp"/> go to the RingManager's proxy as the
/// ring protocol's messages. <see cref="PrimarySuspected"/>, <see cref="JoinRequest"/> and <see cref="ConfigRequest"/>
/// are logged at debug level and dropped for now: the RingManager fails over on Akka's reachability and republishes
/// the ring, which the node's keeper applies.</para>
/// </remarks>
internal sealed class ShardEffects(int partition, IStorageEngine engine, IActorRef replicator, IActorRef manager, ILoggingAdapter log)
{
    private readonly Dictionary<RequestId, List<IActorRef>> _waiting = new();
    private readonly List<Task> _durable = new();

    /// <summary>Writes committed and appended to storage here (observability and tests).</summary>
    public long Persisted { get; private set; }

    /// <summary>Remembers that <paramref name="sender"/> waits for the answer to <paramref name="request"/>.</summary>
    public void Await(RequestId request, IActorRef sender)
    {
        if (!_waiting.TryGetValue(request, out var senders))
            _waiting[request] = senders = new List<IActorRef>(1);
        if (!senders.Contains(sender))
            senders.Add(sender);
    }

    public async Task Run(IReadOnlyList<ReplicaEffect> effects, IActorRef self)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case ApplyCommitted applied:
                    // A retried request applied a second time changed nothing (it got its first answer): nothing to log.
                    if (applied.Answer.Seq == applied.Entry.Seq)
                    {
                        var op = applied.Entry.Operation;
                        var storageOp = op.Kind == KvOperationKind.Put ? StorageOperation.Put(op.Key, op.Value) : StorageOperation.Delete(op.Key);
                        _durable.Add(engine.AppendAsync(partition, applied.Entry.Seq, storageOp).AsTask());
                        Persisted++;
                    }
                    break;
                case SaveSnapshot save:
                    await Durable();
                    _durable.Add(engine.SaveSnapshotAsync(partition, save.Snapshot.Seq, save.Snapshot.Data).AsTask());
                    break;
                case InstallSnapshot install:
                    await Durable();
                    _durable.Add(engine.SaveSnapshotAsync(partition, install.Snapshot.Seq, install.Snapshot.Data).AsTask());
                    break;
                case AppendToLog or TruncateLogAfter or RecordEpoch or RecordCommitPoint:
                    break; // in the core's memory only: see the remarks
                case SendToReplica send:
                    await Durable();
                    replicator.Tell(new OutboundReplication(send.To, partition, send.Message), self);
                    break;
                case ReportToManager report:
                    await Durable();
                    Report(report.Report, self);
                    break;
                case ReplyToClient reply:
                    await Durable();
                    if (_waiting.Remove(reply.Reply.Request, out var senders))
                    {
                        var message = StoreWire.ToReply(reply.Reply);
                        foreach (var sender in senders)
                            sender.Tell(message, self);
                    }
                    break;
            }
        }
        await Durable();
    }

    private async Task Durable()
    {
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

    private void Report(ManagerReport report, IActorRef self)
    {
        switch (report)
        {
            case ReplicaSilent silent:
                log.Info("Partition {0}: in-sync replica {1} is silent at epoch {2}; reporting it", partition, silent.Replica, silent.Epoch);
                manager.Tell(new WireRing.ReplicaSilent { Partition = partition, Node = silent.Replica, Epoch = silent.Epoch }, self);
                break;
            case LearnerCaughtUp caughtUp:
                log.Debug("Partition {0}: learner {1} caught up at epoch {2}; reporting it", partition, caughtUp.Learner, caughtUp.Epoch);
                manager.Tell(new WireRing.LearnerCaughtUp { Partition = partition, Node = caughtUp.Learner, Epoch = caughtUp.Epoch }, self);
                break;
            default:
                log.Debug("Partition {0}: report {1} dropped (not carried to the RingManager yet)", partition, report);
                break;
        }
    }
}
