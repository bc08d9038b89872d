using KvActors.Store.Replication;

namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>
/// A node's durable state, built only from the durable effects its replica emitted (what a crash keeps). A restart
/// recovers from it, so an effect the state machine forgets to emit shows up as lost data. It also refuses effects no
/// correct replica emits: truncating committed entries, an epoch or commit point going back.
/// </summary>
public sealed class SimDisk
{
    private readonly List<LogEntry> log = new();

    public long Epoch { get; private set; }
    public long CommitPoint { get; private set; }
    public ReplicaSnapshot? Snapshot { get; private set; }
    public long LogBaseSeq { get; private set; }
    public long LogBaseEpoch { get; private set; }
    public long LastSeq => LogBaseSeq + log.Count;

    /// <summary>Applies a durable effect; others are ignored. Returns whether it was durable.</summary>
    public bool Apply(ReplicaEffect effect)
    {
        switch (effect)
        {
            case AppendToLog a:
                foreach (var entry in a.Entries)
                {
                    if (entry.Seq != LastSeq + 1)
                        throw new InvariantViolation($"disk: append of seq {entry.Seq} after {LastSeq}");
                    log.Add(entry);
                }
                return true;
            case TruncateLogAfter t:
                if (t.Seq < CommitPoint)
                    throw new InvariantViolation($"disk: truncation after {t.Seq} would drop committed entries (commit point {CommitPoint})");
                if (t.Seq < LastSeq)
                    log.RemoveRange((int)(t.Seq - LogBaseSeq), (int)(LastSeq - t.Seq));
                return true;
            case SaveSnapshot s:
                if (s.Snapshot.Seq > CommitPoint)
                    throw new InvariantViolation($"disk: snapshot at {s.Snapshot.Seq} beyond the commit point {CommitPoint}");
                Snapshot = s.Snapshot;
                if (s.DiscardLogThrough > LogBaseSeq)
                {
                    log.RemoveRange(0, (int)(s.DiscardLogThrough - LogBaseSeq));
                    LogBaseSeq = s.DiscardLogThrough;
                    LogBaseEpoch = s.DiscardEpoch;
                }
                return true;
            case InstallSnapshot i:
                if (i.Snapshot.Seq < CommitPoint)
                    throw new InvariantViolation($"disk: installed snapshot at {i.Snapshot.Seq} behind the commit point {CommitPoint}");
                Snapshot = i.Snapshot;
                log.Clear();
                LogBaseSeq = i.Snapshot.Seq;
                LogBaseEpoch = i.Snapshot.Epoch;
                CommitPoint = i.Snapshot.Seq;
                return true;
            case RecordEpoch e:
                if (e.Epoch < Epoch)
                    throw new InvariantViolation($"disk: epoch went back from {Epoch} to {e.Epoch}");
                Epoch = e.Epoch;
                return true;
            case RecordCommitPoint c:
                if (c.Seq < CommitPoint)
                    throw new InvariantViolation($"disk: commit point went back from {CommitPoint} to {c.Seq}");
                CommitPoint = c.Seq;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The log after <paramref name="afterSeq"/> (at most <paramref name="max"/> entries), or null when it starts later, as the engine answers <see cref="ReadLog"/>.</summary>
    public IReadOnlyList<LogEntry>? ReadSince(long afterSeq, int max) =>
        afterSeq < LogBaseSeq ? null : log.Skip((int)Math.Min(afterSeq - LogBaseSeq, log.Count)).Take(max).ToArray();

    public DurableReplicaState ToDurable() => new(Epoch, CommitPoint, Snapshot, LogBaseSeq, LogBaseEpoch, log.ToArray());
}
