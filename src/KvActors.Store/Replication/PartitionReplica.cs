namespace KvActors.Store.Replication;

/// <summary>
/// One node's replica of one partition: the PacificA-style primary/backup state machine. It is fed configuration
/// changes, client requests, messages from other replicas and the manager, and clock ticks; each call returns the
/// effects the shell must carry out, in order. No clocks, threads or I/O: time is the <c>now</c> argument (ms of a
/// monotonic clock, for leases and timeouts), and where expiry matters also <c>wallNowMs</c> (Unix ms; 0 = unknown,
/// then nothing counts as expired).
/// </summary>
/// <remarks>
/// Primary: assigns seq = last + 1, logs, sends Prepare to every in-sync replica and learner, commits a seq once every
/// in-sync replica (and every learner it has reported caught up) has prepared it, then applies and answers. Backups
/// accept entries only from the primary of their epoch, in order (a log consistency check on the previous entry),
/// log them, acknowledge, and apply what the piggybacked commit point covers. See <see cref="ReplicationSettings"/> for
/// the lease rule.
/// Commands (<see cref="KvCommand"/>) are evaluated once, at the primary, against the key's latest value (committed or
/// prepared: <see cref="PreparedTail"/>) and logged as their result, a plain Put, Delete or Noop with the answer. The
/// primary owns expiry: a read never returns an expired value, and a serving primary deletes expired keys (on access
/// and a few per tick) through the log, so every replica and recovery agree.
/// </remarks>
public sealed class PartitionReplica
{
    /// <summary>Stands for "some primary, before the restart": a restarted node may have granted a lease just before it crashed.</summary>
    private const string BeforeRestart = "\0before-restart";

    private readonly ReplicationSettings settings;
    private readonly ReplicaLog log = new();
    private readonly List<ReplicaEffect> effects = new();
    // Last time this node acknowledged (granted a lease to) each primary.
    private readonly Dictionary<string, long> grants = new(StringComparer.Ordinal);
    private KeyValueState state;
    private long lastSnapshotSeq;
    private long lastSnapshotEpoch; // the epoch of the entry at lastSnapshotSeq (the log in memory may no longer hold it)
    private long durableLogBaseSeq; // the log on disk holds the entries after this (the previous snapshot's seq)
    private long durableLogBaseEpoch; // the epoch of the entry at durableLogBaseSeq
    private long minEpochToAdopt;
    private bool restarted;
    private long lastConfigRequestAt = long.MinValue;
    private long lastJoinRequestAt = long.MinValue;

    // As a backup (in-sync replica or learner) in the current epoch.
    private long lastHeardFromPrimaryAt;
    private long confirmedThrough; // the log matches the primary's through here (committed entries always match)
    private bool leaseRevoked;
    private long lastSuspicionReportAt = long.MinValue;
    private long lastCatchUpRequestAt = long.MinValue;
    private long lastCatchUpRequestFrom = -1;

    // As primary.
    private readonly Dictionary<string, PeerProgress> peers = new(StringComparer.Ordinal);
    private readonly Dictionary<RequestId, long> pending = new(); // in-flight write -> its seq
    private readonly HashSet<string> caughtUp = new(StringComparer.Ordinal); // learners reported caught up: they count for commits and the lease
    private readonly PreparedTail tail;
    private long reconcileTarget; // serve only once everything prepared when promoted is committed
    private long servingNotBefore; // and once every older primary's lease has run out

    private PartitionReplica(string self, ReplicationSettings settings, DurableReplicaState durable, bool restarted, long now)
    {
        Self = self;
        this.settings = settings.Validated();
        this.restarted = restarted;
        tail = new PreparedTail(log);
        Epoch = durable.Epoch;
        minEpochToAdopt = durable.Epoch + 1;
        state = durable.Snapshot is { } snapshot ? KeyValueState.FromSnapshot(snapshot, settings) : new KeyValueState(settings);
        lastSnapshotSeq = durable.Snapshot?.Seq ?? 0;
        lastSnapshotEpoch = durable.Snapshot?.Epoch ?? 0;
        log.Reset(durable.LogBaseSeq, durable.LogBaseEpoch);
        durableLogBaseSeq = durable.LogBaseSeq;
        durableLogBaseEpoch = durable.LogBaseEpoch;
        foreach (var entry in durable.Log)
            log.Append(entry);
        var commit = Math.Min(durable.CommitPoint, log.LastSeq);
        for (var seq = state.AppliedThrough + 1; seq <= commit; seq++)
            state.Apply(log[seq]);
        if (restarted)
            grants[BeforeRestart] = now;
    }

    /// <summary>A node that never held the partition.</summary>
    public static PartitionReplica CreateNew(string self, ReplicationSettings settings) =>
        new(self, settings, DurableReplicaState.Empty, restarted: false, now: 0);

    /// <summary>
    /// A node restarted from its durable state. It acts in no epoch it may have known before the crash (its volatile
    /// state, such as whom it granted a lease, is gone); it asks the manager to join and waits for a newer epoch.
    /// </summary>
    public static PartitionReplica Recover(string self, ReplicationSettings settings, DurableReplicaState durable, long now) =>
        new(self, settings, durable, restarted: true, now);

    public string Self { get; }

    /// <summary>The highest epoch this node adopted (never goes back).</summary>
    public long Epoch { get; private set; }

    public PartitionConfig? Config { get; private set; }

    public ReplicaRole Role { get; private set; } = ReplicaRole.Waiting;

    public long CommitPoint => state.AppliedThrough;

    public long LastSeq => log.LastSeq;

    public ReplicaLog Log => log;

    public KeyValueState State => state;

    public int PendingWrites => pending.Count;

    /// <summary>Snapshots this replica installed from a primary since it was created or recovered (catch-ups that copied the whole partition).</summary>
    public long SnapshotsInstalled { get; private set; }

    /// <summary>
    /// As primary: for each replica of the current configuration (in-sync and learners), the seq through which its log
    /// is known to match this one, -1 before it has answered in this epoch. Empty on a backup. A copy, for statistics.
    /// </summary>
    public IReadOnlyDictionary<string, long> PeerMatchedThrough =>
        Role == ReplicaRole.Primary
            ? peers.ToDictionary(p => p.Key, p => p.Value.MatchedThrough, StringComparer.Ordinal)
            : new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Primary, reconciled, and past the wait for older primaries' leases: may answer writes.</summary>
    public bool IsServing(long now) => Role == ReplicaRole.Primary && CommitPoint >= reconcileTarget && now >= servingNotBefore;

    /// <summary>Serving, and heard within the lease period from every replica whose acknowledgement commits need.</summary>
    public bool HoldsLease(long now)
    {
        if (!IsServing(now))
            return false;
        var since = now - settings.LeasePeriodMs;
        var inSync = Config!.InSync;
        for (var i = 0; i < inSync.Count; i++)
            if (peers[inSync[i]].LeaseSentAt <= since)
                return false;
        foreach (var member in caughtUp)
            if (peers[member].LeaseSentAt <= since)
                return false;
        return true;
    }

    // ---------------------------------------------------------------- inputs

    /// <summary>A configuration from the manager. Older or already adopted epochs are ignored: the epoch never goes back.</summary>
    public IReadOnlyList<ReplicaEffect> OnConfig(PartitionConfig config, long now)
    {
        if (config.Epoch >= minEpochToAdopt)
            Adopt(config, now);
        else if (restarted && Role == ReplicaRole.Waiting)
            RequestJoin(now);
        return Flush();
    }

    /// <summary>
    /// A client write (size limits already checked). Answered when committed, or at once when it cannot be taken.
    /// <paramref name="resent"/>: the client sent this request id before (see <see cref="AnswerForgotten"/>).
    /// </summary>
    public IReadOnlyList<ReplicaEffect> OnClientWrite(RequestId request, KvOperation operation, long now, long wallNowMs = 0, bool resent = false)
    {
        if (Admit(request, resent, now))
            Propose(request, operation, CommandEvaluator.EvaluateWrite(Latest(operation.Key), wallNowMs), now);
        return Flush();
    }

    /// <summary>
    /// A client command (conditional or read-modify-write): evaluated against the key's latest value at
    /// <paramref name="wallNowMs"/> and logged as its result; answered, like a write, once that entry commits.
    /// </summary>
    public IReadOnlyList<ReplicaEffect> OnClientCommand(RequestId request, KvCommand command, long now, long wallNowMs, int maxValueSize, bool resent = false)
    {
        if (Admit(request, resent, now))
        {
            var (operation, result) = CommandEvaluator.Evaluate(command, Latest(command.Key), wallNowMs, maxValueSize);
            Propose(request, operation, result, now);
        }
        return Flush();
    }

    /// <summary>Whether a new write may be proposed; otherwise answers it (or leaves a retry of one in flight to its first answer).</summary>
    private bool Admit(RequestId request, bool resent, long now)
    {
        if (Role != ReplicaRole.Primary)
            Reply(new NotPrimary(request, Epoch, Config?.Primary));
        else if (state.TryGetAnswer(request, out var answer))
            Reply(IsServing(now) ? new WriteDone(request, answer.Result, answer.Seq, answer.Outcome) : new RetryLater(request, "the new primary is reconciling"));
        else if (pending.ContainsKey(request))
        {
            // A retry of a write in flight: it gets the same answer when that commits.
        }
        else if (resent && state.IsForgotten(request))
            Reply(IsServing(now) ? new AnswerForgotten(request, settings.RequestsKeptPerClient) : new RetryLater(request, "the new primary is reconciling"));
        else if (log.LastSeq - CommitPoint >= settings.MaxUncommitted)
            Reply(new RetryLater(request, "too many writes in flight"));
        else
            return true;
        return false;
    }

    /// <summary>The key's newest value: from the prepared tail when an uncommitted entry wrote it, else committed.</summary>
    private StoredValue? Latest(byte[] key) =>
        tail.TryGetLatest(key, CommitPoint, out var prepared) ? prepared : state.GetStored(key);

    /// <summary>A client read: <see cref="ReadMode.Leased"/> at the primary while it holds its lease, or a possibly stale read at any replica.</summary>
    public IReadOnlyList<ReplicaEffect> OnClientRead(RequestId request, byte[] key, ReadMode mode, long now, long wallNowMs = 0)
    {
        if (mode == ReadMode.Stale && Role is ReplicaRole.Primary or ReplicaRole.InSync or ReplicaRole.Learner)
            Reply(Read(request, key, wallNowMs));
        else if (Role != ReplicaRole.Primary)
            Reply(new NotPrimary(request, Epoch, Config?.Primary));
        else if (!IsServing(now))
            Reply(new RetryLater(request, "the new primary is reconciling"));
        else if (!HoldsLease(now))
            Reply(new RetryLater(request, "the primary has no lease"));
        else
        {
            var stored = state.GetStored(key);
            Reply(Read(request, stored, wallNowMs));
            // Lazy expiry: the primary deletes an expired key it is asked for (the reply above already hides it).
            if (stored is { } held && !held.IsLiveAt(wallNowMs))
                DeleteIfExpired(key, wallNowMs, now);
        }
        return Flush();
    }

    private ReadDone Read(RequestId request, byte[] key, long wallNowMs) => Read(request, state.GetStored(key), wallNowMs);

    private ReadDone Read(RequestId request, StoredValue? stored, long wallNowMs) =>
        stored is { } live && live.IsLiveAt(wallNowMs)
            ? new ReadDone(request, live.Value, CommitPoint, live.ExpiresAtMs)
            : new ReadDone(request, null, CommitPoint);

    /// <summary>Logs a Delete of <paramref name="key"/> if its latest value (prepared entries included) has expired; whether it did.</summary>
    private bool DeleteIfExpired(byte[] key, long wallNowMs, long now)
    {
        if (log.LastSeq - CommitPoint >= settings.MaxUncommitted || Latest(key) is not { } latest || latest.IsLiveAt(wallNowMs))
            return false;
        Propose(RequestId.OfStore(log.LastSeq + 1), KvOperation.Delete(key), new CommandResult(false), now);
        return true;
    }

    /// <summary>Active expiry: deletes up to the configured number of expired keys, soonest expiry first.</summary>
    private void ExpireDue(long wallNowMs, long now)
    {
        if (wallNowMs <= 0 || settings.ExpiryDeletesPerTick == 0 || state.ExpiringCount == 0)
            return;
        var deleted = 0;
        var looked = 0;
        List<byte[]>? due = null;
        foreach (var (at, key) in state.ExpiryIndex)
        {
            // Keys already being deleted (or rewritten) stay in the committed index until that commits: bound the look.
            if (at > wallNowMs || deleted >= settings.ExpiryDeletesPerTick || ++looked > 4 * settings.ExpiryDeletesPerTick)
                break;
            (due ??= new List<byte[]>()).Add(key);
            deleted++;
        }
        if (due is null)
            return;
        foreach (var key in due)
            DeleteIfExpired(key, wallNowMs, now);
    }

    /// <summary>A message from another replica of the partition.</summary>
    public IReadOnlyList<ReplicaEffect> OnMessage(ReplicationMessage message, long now)
    {
        switch (message)
        {
            case Prepare p:
                FromPrimary(p.Epoch, p.From, null, p.PrevSeq, p.PrevEpoch, p.Entries, p.CommitPoint, p.SentAt, now);
                break;
            case CatchUpData c:
                FromPrimary(c.Epoch, c.From, c.Snapshot, c.PrevSeq, c.PrevEpoch, c.Entries, c.CommitPoint, c.SentAt, now);
                break;
            case PrepareAck a:
                OnAck(a, now);
                break;
            case NeedsCatchUp n:
                OnNeedsCatchUp(n, now);
                break;
            case StaleEpoch s:
                if (s.Epoch > Epoch)
                    RequestConfig(now);
                break;
        }
        return Flush();
    }

    /// <summary>The manager starts a failover: an in-sync replica stops granting the primary of <paramref name="epoch"/> a lease and reports its log end.</summary>
    public IReadOnlyList<ReplicaEffect> OnRevokeLease(long epoch, long now)
    {
        if (epoch > Epoch)
            RequestConfig(now);
        else if (epoch == Epoch && Role == ReplicaRole.InSync)
        {
            leaseRevoked = true;
            ReportSuspicion(now);
        }
        return Flush();
    }

    /// <summary>Time passes: heartbeats and resends, timeouts, repeated reports; at a serving primary, active expiry at <paramref name="wallNowMs"/>.</summary>
    public IReadOnlyList<ReplicaEffect> Tick(long now, long wallNowMs = 0)
    {
        switch (Role)
        {
            case ReplicaRole.Waiting:
            case ReplicaRole.NotMember:
                RequestJoin(now);
                break;
            case ReplicaRole.Primary:
                PrimaryTick(now);
                if (IsServing(now))
                    ExpireDue(wallNowMs, now);
                break;
            case ReplicaRole.InSync:
                if (!leaseRevoked && lastHeardFromPrimaryAt < now - settings.GracePeriodMs)
                {
                    // Grace (> lease) is over: the primary's lease from us has run out; stop granting it and say so.
                    leaseRevoked = true;
                    ReportSuspicion(now);
                }
                else if (leaseRevoked && lastSuspicionReportAt <= now - settings.ReportIntervalMs)
                    ReportSuspicion(now);
                break;
        }
        return Flush();
    }

    /// <summary>
    /// The earliest time (monotonic ms) at which <see cref="Tick"/> may have anything to do: a tick before it returns no
    /// effects and changes nothing, so the shell may skip it. At or before <paramref name="now"/> when one is due now;
    /// <see cref="long.MaxValue"/> when only a new input can make one needed. Expiry deadlines assume the wall clock
    /// (<paramref name="wallNowMs"/>) keeps pace with the monotonic one.
    /// </summary>
    /// <remarks>
    /// An idle primary needs a tick per heartbeat interval, an in-sync replica one per grace period (each heartbeat it
    /// hears pushes its deadline on), a learner none: that, not a fixed rate, is what an idle node pays for its partitions.
    /// </remarks>
    public long NextTickAt(long now, long wallNowMs = 0)
    {
        switch (Role)
        {
            case ReplicaRole.Waiting:
            case ReplicaRole.NotMember:
                return Plus(lastJoinRequestAt, settings.ReportIntervalMs);
            case ReplicaRole.Primary:
                return PrimaryNextTickAt(now, wallNowMs);
            case ReplicaRole.InSync:
                return leaseRevoked
                    ? Plus(lastSuspicionReportAt, settings.ReportIntervalMs)
                    : Plus(lastHeardFromPrimaryAt, settings.GracePeriodMs + 1);
            default:
                return long.MaxValue;
        }
    }

    private long PrimaryNextTickAt(long now, long wallNowMs)
    {
        var next = long.MaxValue;
        var commitTarget = CommitTarget();
        if (commitTarget > CommitPoint)
            next = servingNotBefore; // entries wait only for older leases to run out
        foreach (var (member, peer) in peers)
        {
            next = Math.Min(next, HeartbeatDueAt(peer));
            var reportDue = Plus(peer.LastReportAt, settings.ReportIntervalMs);
            if (Config!.InSync.Contains(member))
            {
                var silentAt = Plus(peer.LastAckAt, settings.AckTimeoutMs + 1);
                if (peer.WaitingSince is { } since)
                    silentAt = Math.Min(silentAt, Plus(since, settings.AckTimeoutMs + 1));
                next = Math.Min(next, Math.Max(silentAt, reportDue));
            }
            else if (caughtUp.Contains(member))
                next = Math.Min(next, reportDue);
            else if (Config.Learners.Contains(member) && peer.MatchedThrough >= CommitPoint && CommitPoint >= reconcileTarget)
                next = Math.Min(next, servingNotBefore); // caught up, reported once serving
        }
        if (wallNowMs > 0 && settings.ExpiryDeletesPerTick > 0 && state.NextExpiryAt is { } expiry && CommitPoint >= reconcileTarget)
        {
            // Active expiry runs while serving; the soonest expiry is on the wall clock, converted at the current offset.
            var expiryDue = expiry <= wallNowMs ? now : Plus(now, expiry - wallNowMs);
            next = Math.Min(next, Math.Max(expiryDue, servingNotBefore));
        }
        return next;
    }

    /// <summary>When the primary next sends <paramref name="peer"/> a heartbeat (unless other traffic goes to it first).</summary>
    private long HeartbeatDueAt(PeerProgress peer) =>
        Plus(peer.LastSentAt, settings.HeartbeatIntervalMs - settings.HeartbeatSlackMs);

    /// <summary><paramref name="at"/> + <paramref name="delay"/>, where <paramref name="at"/> may be long.MinValue ("never") and the sum never wraps.</summary>
    private static long Plus(long at, long delay) => at > long.MaxValue - delay ? long.MaxValue : at + delay;

    // ---------------------------------------------------------------- configuration

    private void Adopt(PartitionConfig config, long now)
    {
        if (Config is { } current && SameMembers(current, config))
        {
            // The ring moved on for other partitions: this one keeps its replicas, their progress and the
            // lease, and only takes the new epoch. Resetting them on every ring (hundreds of epochs while
            // a cluster rebalances) would re-send every uncommitted tail and restart every catch-up.
            Config = config;
            Epoch = config.Epoch;
            minEpochToAdopt = config.Epoch + 1;
            restarted = false;
            effects.Add(new RecordEpoch(Epoch));
            return;
        }
        var wasPrimary = Role == ReplicaRole.Primary;
        Config = config;
        Epoch = config.Epoch;
        minEpochToAdopt = config.Epoch + 1;
        restarted = false;
        effects.Add(new RecordEpoch(Epoch));
        Role = config.Primary == Self ? ReplicaRole.Primary
            : config.InSync.Contains(Self) ? ReplicaRole.InSync
            : config.Learners.Contains(Self) ? ReplicaRole.Learner
            : ReplicaRole.NotMember;

        lastHeardFromPrimaryAt = now;
        leaseRevoked = false;
        confirmedThrough = CommitPoint;
        lastSuspicionReportAt = long.MinValue;
        lastCatchUpRequestFrom = -1;
        // A replica's progress starts afresh: one that crashed and returns asks for the log after its commit point, which
        // the log on disk still holds (read for it: ReadLog) unless a snapshot has passed since.
        peers.Clear();
        caughtUp.Clear();

        if (Role == ReplicaRole.Primary)
        {
            if (!wasPrimary)
            {
                // Promoted: first commit everything we prepared (re-sending it to the others) and outwait every older
                // primary's lease. We were an in-sync replica of any primary that may still believe it holds one, so
                // that lease needed our grants, and it ends at most a lease period after our last grant.
                pending.Clear();
                for (var seq = CommitPoint + 1; seq <= log.LastSeq; seq++)
                    pending[log[seq].Request] = seq;
                reconcileTarget = log.LastSeq;
                servingNotBefore = grants.Count == 0 ? long.MinValue : grants.Values.Max() + settings.LeasePeriodMs + settings.LeaseMarginMs;
            }
            // A primary kept across epochs keeps its in-flight writes and serving state, but its replicas answer afresh.
            foreach (var member in config.InSync.Concat(config.Learners))
                peers[member] = new PeerProgress(now);
            foreach (var member in peers.Keys)
                SendFrom(member, CommitPoint + 1, now, catchUp: false);
            TryCommit(now);
        }
        else
        {
            if (wasPrimary)
            {
                foreach (var request in pending.Keys)
                    Reply(new NotPrimary(request, Epoch, config.Primary));
                pending.Clear();
            }
            if (Role == ReplicaRole.NotMember)
                RequestJoin(now);
        }
    }

    private static bool SameMembers(PartitionConfig a, PartitionConfig b) =>
        a.Primary == b.Primary && a.InSync.SequenceEqual(b.InSync) && a.Learners.SequenceEqual(b.Learners);

    private void RequestJoin(long now)
    {
        if (lastJoinRequestAt > now - settings.ReportIntervalMs)
            return;
        lastJoinRequestAt = now;
        effects.Add(new ReportToManager(new JoinRequest(Epoch, Self, log.LastSeq, log.LastEpoch, restarted)));
    }

    private void RequestConfig(long now)
    {
        if (lastConfigRequestAt > now - settings.ReportIntervalMs)
            return;
        lastConfigRequestAt = now;
        effects.Add(new ReportToManager(new ConfigRequest(Epoch, Self)));
    }

    // ---------------------------------------------------------------- primary

    /// <summary>
    /// How far every in-sync replica and caught-up learner has prepared (what may commit). Indexed loops, as in
    /// <see cref="HoldsLease"/>: every write asks, and a Concat of the two allocated two enumerators each time.
    /// </summary>
    private long CommitTarget()
    {
        var target = log.LastSeq;
        var inSync = Config!.InSync;
        for (var i = 0; i < inSync.Count; i++)
            target = Math.Min(target, peers[inSync[i]].MatchedThrough);
        foreach (var member in caughtUp)
            target = Math.Min(target, peers[member].MatchedThrough);
        return target;
    }

    private void Propose(RequestId request, KvOperation operation, CommandResult outcome, long now)
    {
        var seq = log.LastSeq + 1;
        var entry = new LogEntry(seq, Epoch, request, operation, outcome);
        log.Append(entry);
        tail.Appended(entry);
        effects.Add(new AppendToLog([entry]));
        pending[request] = seq;
        foreach (var (member, peer) in peers)
        {
            peer.WaitingSince ??= now;
            if (peer.MatchedThrough >= 0 && peer.NextSeq == seq)
                SendFrom(member, seq, now, catchUp: false);
        }
        TryCommit(now);
    }

    /// <summary>
    /// Sends <paramref name="to"/> the log from <paramref name="from"/> on. When the log in memory no longer reaches back
    /// that far (a replica back after a while), it asks for the log on disk first (unless <paramref name="readDisk"/> is
    /// false: the disk had no more) and sends from that answer (<see cref="OnLogRead"/>); a replica behind the log on disk
    /// too gets a snapshot first.
    /// </summary>
    private void SendFrom(string to, long from, long now, bool catchUp, bool readDisk = true)
    {
        var peer = peers[to];
        if (peer.ReadingLogAfter >= 0)
            return; // its entries are being read from disk: the answer sends on
        from = Math.Min(from, log.LastSeq + 1);
        if (readDisk && from - 1 < log.BaseSeq && from - 1 >= durableLogBaseSeq)
        {
            // The read starts at the entry before the batch when the epoch there is not known otherwise: the replica's
            // consistency check needs it.
            peer.ReadingLogAfter = EpochOnDisk(from - 1) is null ? from - 2 : from - 1;
            peer.LastSentAt = now;
            effects.Add(new ReadLog(to, peer.ReadingLogAfter, settings.MaxBatchEntries * BatchesPerLogRead));
            return;
        }
        ReplicaSnapshot? snapshot = null;
        long prev;
        if (from - 1 < log.BaseSeq)
        {
            snapshot = state.Snapshot(log.EpochAt(CommitPoint)!.Value);
            prev = CommitPoint;
        }
        else
            prev = from - 1;
        var entries = log.Range(prev + 1, settings.MaxBatchEntries, settings.MaxBatchBytes);
        var prevEpoch = log.EpochAt(prev)!.Value;
        ReplicationMessage message = snapshot is not null || catchUp
            ? new CatchUpData(Epoch, Self, snapshot, prev, prevEpoch, entries, CommitPoint, now)
            : new Prepare(Epoch, Self, prev, prevEpoch, entries, CommitPoint, now);
        peer.NextSeq = prev + entries.Count + 1;
        peer.LastSentAt = now;
        effects.Add(new SendToReplica(to, message));
    }

    /// <summary>Each read of the log on disk for a returning replica feeds this many batches (a read scans the log's files).</summary>
    private const int BatchesPerLogRead = 8;

    /// <summary>The epoch of the entry at <paramref name="seq"/> where no log record is needed to know it; else null.</summary>
    private long? EpochOnDisk(long seq) =>
        seq == lastSnapshotSeq ? lastSnapshotEpoch : seq == durableLogBaseSeq ? durableLogBaseEpoch : log.EpochAt(seq);

    /// <summary>
    /// The log on disk, as read for a returning replica (<see cref="ReadLog"/>): the entries the log in memory no longer
    /// holds go to it as catch-up batches, several at once; when the disk no longer had them, a snapshot goes instead.
    /// </summary>
    public IReadOnlyList<ReplicaEffect> OnLogRead(LogRead read, long now)
    {
        if (Role != ReplicaRole.Primary || !peers.TryGetValue(read.For, out var peer) || peer.ReadingLogAfter != read.AfterSeq)
            return Flush(); // the configuration changed meanwhile (and the replica with it), or a repeated answer
        peer.ReadingLogAfter = -1;
        var entries = read.Entries ?? Array.Empty<LogEntry>();
        var prev = read.AfterSeq;
        var first = 0;
        var prevEpoch = EpochOnDisk(prev);
        if (prevEpoch is null && entries.Count > 0 && entries[0].Seq == prev + 1)
        {
            // The read began one entry early for that entry's epoch.
            prev = entries[0].Seq;
            prevEpoch = entries[0].Epoch;
            first = 1;
        }
        var last = first;
        while (last < entries.Count && entries[last].Seq == prev + 1 + (last - first) && entries[last].Seq <= log.BaseSeq)
            last++;
        if (read.Entries is null || prevEpoch is null || last == first)
        {
            SendFrom(read.For, prev + 1, now, catchUp: true, readDisk: false);
            return Flush();
        }
        for (var i = first; i < last;)
        {
            var count = 0;
            long bytes = 0;
            while (i + count < last && count < settings.MaxBatchEntries)
            {
                var operation = entries[i + count].Operation;
                bytes += operation.Key.Length + (operation.Value?.Length ?? 0);
                if (count > 0 && bytes > settings.MaxBatchBytes)
                    break;
                count++;
            }
            var batch = entries.Skip(i).Take(count).ToArray();
            effects.Add(new SendToReplica(read.For, new CatchUpData(Epoch, Self, null, prev, prevEpoch.Value, batch, CommitPoint, now)));
            prev = batch[^1].Seq;
            prevEpoch = batch[^1].Epoch;
            i += count;
        }
        peer.NextSeq = prev + 1;
        peer.LastSentAt = now;
        return Flush();
    }

    private void OnAck(PrepareAck ack, long now)
    {
        if (ack.Epoch > Epoch)
            RequestConfig(now);
        if (ack.Epoch != Epoch || Role != ReplicaRole.Primary || !peers.TryGetValue(ack.From, out var peer))
            return;
        peer.LastAckAt = now;
        peer.LeaseSentAt = Math.Max(peer.LeaseSentAt, ack.EchoSentAt);
        Advance(peer, ack.PreparedThrough, now);
        if (peer.MatchedThrough < log.LastSeq && peer.NextSeq <= peer.MatchedThrough + 1)
            SendFrom(ack.From, peer.MatchedThrough + 1, now, catchUp: false);
        TryCommit(now);
        CheckCaughtUp(ack.From, now);
    }

    private void OnNeedsCatchUp(NeedsCatchUp request, long now)
    {
        if (request.Epoch > Epoch)
            RequestConfig(now);
        if (request.Epoch != Epoch || Role != ReplicaRole.Primary || !peers.TryGetValue(request.From, out var peer))
            return;
        peer.LastAckAt = now;
        // It matches through FromSeq - 1: that is its commit point or a prefix it already matched with us.
        Advance(peer, request.FromSeq - 1, now);
        SendFrom(request.From, request.FromSeq, now, catchUp: true);
        TryCommit(now);
        CheckCaughtUp(request.From, now);
    }

    private void Advance(PeerProgress peer, long matchedThrough, long now)
    {
        matchedThrough = Math.Min(matchedThrough, log.LastSeq);
        if (matchedThrough <= peer.MatchedThrough)
            return;
        peer.MatchedThrough = matchedThrough;
        peer.NextSeq = Math.Max(peer.NextSeq, matchedThrough + 1);
        peer.WaitingSince = matchedThrough >= log.LastSeq ? null : now;
    }

    /// <summary>Commits what every in-sync replica (and caught-up learner) has prepared, once older leases are over.</summary>
    private void TryCommit(long now)
    {
        if (Role != ReplicaRole.Primary || now < servingNotBefore)
            return;
        ApplyThrough(CommitTarget());
    }

    private void CheckCaughtUp(string member, long now)
    {
        // Only a serving primary adds replicas (a primary still reconciling may only shrink the set).
        if (!IsServing(now) || !Config!.Learners.Contains(member) || caughtUp.Contains(member))
            return;
        var peer = peers[member];
        if (peer.MatchedThrough < CommitPoint)
            return;
        // From now on commits wait for it too, so it keeps holding everything committed until the manager moves it
        // into the in-sync set; a primary that misses that new epoch still counts it for commits and its lease.
        caughtUp.Add(member);
        peer.LastReportAt = now;
        effects.Add(new ReportToManager(new LearnerCaughtUp(Epoch, Self, member)));
    }

    private void PrimaryTick(long now)
    {
        TryCommit(now);
        foreach (var (member, peer) in peers)
        {
            if (now >= HeartbeatDueAt(peer))
                SendFrom(member, peer.MatchedThrough >= 0 ? peer.MatchedThrough + 1 : CommitPoint + 1, now, catchUp: false);
            var due = peer.LastReportAt <= now - settings.ReportIntervalMs;
            if (Config!.InSync.Contains(member))
            {
                var silent = peer.LastAckAt < now - settings.AckTimeoutMs
                    || (peer.WaitingSince is { } since && since < now - settings.AckTimeoutMs);
                if (silent && due)
                {
                    peer.LastReportAt = now;
                    effects.Add(new ReportToManager(new ReplicaSilent(Epoch, Self, member)));
                }
            }
            else if (caughtUp.Contains(member))
            {
                if (due)
                {
                    peer.LastReportAt = now;
                    effects.Add(new ReportToManager(new LearnerCaughtUp(Epoch, Self, member)));
                }
            }
            else
                CheckCaughtUp(member, now);
        }
    }

    // ---------------------------------------------------------------- backup

    private void FromPrimary(long epoch, string from, ReplicaSnapshot? snapshot, long prevSeq, long prevEpoch,
        IReadOnlyList<LogEntry> entries, long commitPoint, long sentAt, long now)
    {
        if (epoch < Epoch)
        {
            // Fencing: refuse an older epoch's primary and tell it to fetch the new configuration.
            effects.Add(new SendToReplica(from, new StaleEpoch(Epoch, Self)));
            return;
        }
        if (epoch > Epoch || Role == ReplicaRole.Waiting)
        {
            if (epoch >= minEpochToAdopt)
                RequestConfig(now);
            return;
        }
        if (Role is not (ReplicaRole.InSync or ReplicaRole.Learner) || from != Config!.Primary || !Contiguous(prevSeq, entries))
            return;
        lastHeardFromPrimaryAt = now;
        if (leaseRevoked)
            return;

        if (snapshot is not null && snapshot.Seq > confirmedThrough)
            Install(snapshot);
        // Log consistency: our entry before the batch must be the primary's (committed entries always are).
        if (prevSeq > CommitPoint && log.EpochAt(prevSeq) != prevEpoch)
        {
            AskCatchUp(from, now);
            return;
        }

        var appended = new List<LogEntry>();
        foreach (var entry in entries)
        {
            if (entry.Seq <= CommitPoint)
                continue;
            if (entry.Seq <= log.LastSeq)
            {
                if (log.EpochAt(entry.Seq) == entry.Epoch)
                    continue; // already have it (a duplicate or a resend)
                // An uncommitted entry of another history: it and everything after it go.
                FlushAppends(appended);
                Truncate(entry.Seq - 1);
            }
            log.Append(entry);
            tail.Invalidate();
            appended.Add(entry);
        }
        FlushAppends(appended);
        confirmedThrough = Math.Max(confirmedThrough, entries.Count > 0 ? entries[^1].Seq : prevSeq);
        // Beyond the matched prefix lie only entries of older epochs (one of this epoch only ever arrives through a
        // matched batch). They may be committed entries a new primary has not re-sent yet (it reconciles one batch at a
        // time, and may die in between), so a batch alone never drops them. An empty batch is sent only from the end of
        // the primary's log: what lies beyond it, the primary never had, so it was never committed. Drop that, so a
        // later promotion cannot commit it.
        if (entries.Count == 0 && log.LastSeq > confirmedThrough)
            Truncate(confirmedThrough);

        ApplyThrough(Math.Min(commitPoint, confirmedThrough));
        grants[from] = now;
        effects.Add(new SendToReplica(from, new PrepareAck(Epoch, Self, confirmedThrough, sentAt)));
    }

    private static bool Contiguous(long prevSeq, IReadOnlyList<LogEntry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
            if (entries[i].Seq != prevSeq + 1 + i)
                return false;
        return true;
    }

    private void AskCatchUp(string primary, long now)
    {
        var from = confirmedThrough + 1;
        if (from == lastCatchUpRequestFrom && lastCatchUpRequestAt > now - settings.HeartbeatIntervalMs)
            return;
        lastCatchUpRequestFrom = from;
        lastCatchUpRequestAt = now;
        effects.Add(new SendToReplica(primary, new NeedsCatchUp(Epoch, Self, from)));
    }

    private void Install(ReplicaSnapshot snapshot)
    {
        state = KeyValueState.FromSnapshot(snapshot, settings);
        log.Reset(snapshot.Seq, snapshot.Epoch);
        tail.Invalidate();
        lastSnapshotSeq = snapshot.Seq;
        lastSnapshotEpoch = snapshot.Epoch;
        durableLogBaseSeq = snapshot.Seq;
        durableLogBaseEpoch = snapshot.Epoch;
        confirmedThrough = snapshot.Seq;
        SnapshotsInstalled++;
        effects.Add(new InstallSnapshot(snapshot));
    }

    private void Truncate(long after)
    {
        log.TruncateAfter(after);
        tail.Invalidate();
        effects.Add(new TruncateLogAfter(after));
    }

    private void FlushAppends(List<LogEntry> appended)
    {
        if (appended.Count == 0)
            return;
        effects.Add(new AppendToLog(appended.ToArray()));
        appended.Clear();
    }

    private void ReportSuspicion(long now)
    {
        lastSuspicionReportAt = now;
        long? sinceLastGrant = grants.Count == 0 ? null : now - grants.Values.Max();
        effects.Add(new ReportToManager(new PrimarySuspected(Epoch, Self, log.LastSeq, log.LastEpoch, sinceLastGrant)));
    }

    // ---------------------------------------------------------------- both

    private void ApplyThrough(long target)
    {
        if (target <= CommitPoint)
            return;
        List<ClientReply>? replies = null;
        for (var seq = CommitPoint + 1; seq <= target; seq++)
        {
            var entry = log[seq];
            var answer = state.Apply(entry);
            tail.Committed(entry);
            effects.Add(new ApplyCommitted(entry, answer));
            if (pending.TryGetValue(entry.Request, out var pendingSeq) && pendingSeq == seq)
            {
                pending.Remove(entry.Request);
                if (!entry.Request.IsStore)
                    (replies ??= []).Add(new WriteDone(entry.Request, answer.Result, answer.Seq, answer.Outcome));
            }
        }
        // The commit point is recorded before the answers go, not after: the shell writes the log records gathered before
        // a reply together, so a write appended and committed at once (a single replica) costs one log write, not two.
        effects.Add(new RecordCommitPoint(target));
        if (replies is not null)
            foreach (var reply in replies)
                Reply(reply);
        if (CommitPoint - lastSnapshotSeq >= settings.SnapshotEveryCommits)
        {
            // The log on disk goes back to the previous snapshot, so a restarted replica a little behind catches up
            // without a snapshot.
            var snapshot = state.Snapshot(log.EpochAt(CommitPoint)!.Value);
            effects.Add(new SaveSnapshot(snapshot, lastSnapshotSeq, lastSnapshotEpoch));
            durableLogBaseSeq = lastSnapshotSeq;
            durableLogBaseEpoch = lastSnapshotEpoch;
            lastSnapshotSeq = CommitPoint;
            lastSnapshotEpoch = snapshot.Epoch;
        }
        TrimLog();
    }

    /// <summary>
    /// Drops committed entries from the log in memory: it keeps a short window behind the commit point, and as primary
    /// also what a replica it is sending to has not acknowledged yet (a learner catching up), but never further back than
    /// the log on disk (the previous snapshot). A replica that asks for more (one back after a crash, or left out of the
    /// ring for a while) is read it from the log on disk (<see cref="ReadLog"/>), or sent a snapshot when that no longer
    /// reaches back either. Kept back to the previous snapshot always, every write's entry lived into the oldest GC
    /// generation (gigabytes of them at 100k writes/s), and each collection of the younger ones copied them there.
    /// </summary>
    private void TrimLog()
    {
        var keepAfter = CommitPoint - settings.CommittedEntriesInMemory;
        var floor = durableLogBaseSeq;
        if (Role == ReplicaRole.Primary)
        {
            foreach (var peer in peers.Values)
                if (peer.MatchedThrough >= 0)
                    keepAfter = Math.Min(keepAfter, peer.MatchedThrough);
        }
        keepAfter = Math.Max(keepAfter, floor);
        // Trimming shifts the kept entries: only once the dropped part is as long as the kept one, so each entry moves
        // a bounded number of times.
        var dropped = keepAfter - log.BaseSeq;
        if (dropped >= settings.CommittedEntriesInMemory && dropped >= log.LastSeq - keepAfter)
            log.DiscardThrough(keepAfter);
    }

    private void Reply(ClientReply reply) => effects.Add(new ReplyToClient(reply));

    private IReadOnlyList<ReplicaEffect> Flush()
    {
        if (effects.Count == 0)
            return Array.Empty<ReplicaEffect>();
        var result = effects.ToArray();
        effects.Clear();
        return result;
    }
}
