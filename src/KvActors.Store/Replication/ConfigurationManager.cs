namespace KvActors.Store.Replication;

/// <summary>
/// The configuration manager's replication logic for one partition (what the RingManager does per partition): it owns
/// the epoch, which only grows, and changes the replica set in answer to reports, one change per epoch:
/// <list type="bullet">
/// <item>the primary reports an in-sync replica silent -> it becomes a learner;</item>
/// <item>the primary reports a learner caught up -> it becomes in-sync;</item>
/// <item>a node that is not a member asks to join -> it becomes a learner; a member that restarted gets a fresh epoch;</item>
/// <item>an in-sync replica suspects the primary, the primary is unreachable, or it restarted -> failover.</item>
/// </list>
/// Failover: every in-sync replica is told to stop granting the primary a lease (<see cref="RevokeLease"/>) and answers
/// with its log end and how long ago it last granted a lease. The old primary's lease needs every in-sync replica's
/// grants, so it ends at most one lease period after the last grant of any replica that stopped; the manager waits for
/// that (by its own clock, plus the margin), collects log ends for a moment, then promotes the in-sync replica with the
/// highest prepared seq. Every in-sync replica holds every committed write, so any choice is safe; the highest loses the
/// fewest uncommitted ones. Pure: time is the <c>now</c> argument.
/// </summary>
public sealed class ConfigurationManager
{
    private readonly ReplicationSettings settings;
    private readonly List<ManagerSend> sends = new();
    private readonly SortedSet<string> knownNodes = new(StringComparer.Ordinal);
    private long lastPublishAt = long.MinValue;
    private Failover? failover;

    public ConfigurationManager(PartitionConfig initial, ReplicationSettings settings)
    {
        this.settings = settings.Validated();
        Config = initial;
        knownNodes.UnionWith(initial.Members);
    }

    public PartitionConfig Config { get; private set; }

    public bool FailingOver => failover is not null;

    /// <summary>A report from a replica.</summary>
    public IReadOnlyList<ManagerSend> OnReport(ManagerReport report, long now)
    {
        knownNodes.Add(report.From);
        switch (report)
        {
            case ConfigRequest r:
                Send(r.From, new ConfigUpdate(Config));
                break;
            case JoinRequest r:
                OnJoin(r, now);
                break;
            case { } r when r.Epoch != Config.Epoch:
                if (r.Epoch < Config.Epoch)
                    Send(r.From, new ConfigUpdate(Config)); // it is behind: show it where we are
                break;
            case ReplicaSilent r when failover is null && r.From == Config.Primary && Config.InSync.Contains(r.Replica):
                Reconfigure(Config.Primary, Config.InSync.Where(n => n != r.Replica), Config.Learners.Append(r.Replica), now);
                break;
            case LearnerCaughtUp r when failover is null && r.From == Config.Primary && Config.Learners.Contains(r.Learner):
                Reconfigure(Config.Primary, Config.InSync.Append(r.Learner), Config.Learners.Where(n => n != r.Learner), now);
                break;
            case PrimarySuspected r when Config.InSync.Contains(r.From):
                // It stopped granting now; its last grant was SinceLastGrantMs ago (never: no lease from it at all).
                var leaseOverAt = r.SinceLastGrantMs is { } since ? now - since + settings.LeasePeriodMs + settings.LeaseMarginMs : long.MinValue;
                Candidate(r.From, r.LastSeq, r.LastEpoch, leaseOverAt, now);
                break;
        }
        return Flush();
    }

    /// <summary>The cluster's failure detector says the node is unreachable (from the manager).</summary>
    public IReadOnlyList<ManagerSend> OnUnreachable(string node, long now)
    {
        // With no in-sync replica there is nobody to promote: keep the primary.
        if (node == Config.Primary && Config.InSync.Count > 0)
            StartFailover(now);
        return Flush();
    }

    public IReadOnlyList<ManagerSend> Tick(long now)
    {
        if (failover is { } f)
        {
            if (f.LastRevokeAt <= now - settings.ReportIntervalMs)
                SendRevocations(now);
            var collected = f.Candidates.Count > 0 && now >= f.LeaseOverAt
                && (Config.InSync.All(f.Candidates.ContainsKey) || now >= f.FirstCandidateAt + settings.PromotionCollectMs);
            if (collected)
                Promote(now);
            else if (f.Candidates.Count == 0 && f.StartedAt <= now - settings.FailoverGiveUpMs)
                failover = null; // nobody answered: let the primary's reports count again (a replica that did revoke keeps reporting)
        }
        if (lastPublishAt <= now - settings.RepublishIntervalMs)
            Publish(now);
        return Flush();
    }

    private void OnJoin(JoinRequest r, long now)
    {
        if (r.From == Config.Primary)
        {
            if (r.Restarted && Config.InSync.Count == 0 && failover is null)
                Reconfigure(r.From, Config.InSync, Config.Learners, now); // the only copy: same primary, new epoch
            else if (r.Restarted)
            {
                // The old primary's process is gone and its successor acts in no old epoch: its lease is over now.
                Candidate(r.From, r.LastSeq, r.LastEpoch, now, now);
                failover!.OldPrimaryRestarted = true;
            }
            else
                Send(r.From, new ConfigUpdate(Config));
            return;
        }
        if (failover is { } f)
        {
            // A restarted in-sync replica still holds everything it acknowledged; it may be promoted. It stopped granting
            // when it crashed, but we do not know when that was: count its last grant as now.
            if (r.Restarted && Config.InSync.Contains(r.From))
                f.AddCandidate(r.From, r.LastSeq, r.LastEpoch, now + settings.LeasePeriodMs + settings.LeaseMarginMs, now);
            Send(r.From, new ConfigUpdate(Config));
            return;
        }
        if (!Config.IsMember(r.From))
            Reconfigure(Config.Primary, Config.InSync, Config.Learners.Append(r.From), now);
        else if (r.Restarted && r.Epoch >= Config.Epoch)
            Reconfigure(Config.Primary, Config.InSync, Config.Learners, now); // it needs an epoch newer than its durable one
        else
            Send(r.From, new ConfigUpdate(Config));
    }

    private void StartFailover(long now)
    {
        if (failover is not null)
            return;
        failover = new Failover(now);
        SendRevocations(now);
    }

    /// <summary>A node that stopped granting the primary a lease and may be promoted; starts the failover if needed.</summary>
    private void Candidate(string node, long lastSeq, long lastEpoch, long leaseOverAt, long now)
    {
        var starting = failover is null;
        failover ??= new Failover(now);
        failover.AddCandidate(node, lastSeq, lastEpoch, leaseOverAt, now);
        if (starting)
            SendRevocations(now);
    }

    private void SendRevocations(long now)
    {
        failover!.LastRevokeAt = now;
        foreach (var node in Config.InSync)
            if (!failover.Candidates.ContainsKey(node))
                Send(node, new RevokeLease(Config.Epoch));
    }

    private void Promote(long now)
    {
        var f = failover!;
        var chosen = f.Candidates
            .OrderByDescending(c => c.Value.LastSeq)
            .ThenByDescending(c => c.Value.LastEpoch)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .First().Key;
        var oldPrimary = Config.Primary;
        // A restarted old primary still holds everything committed: it stays in-sync. One that is merely unreachable
        // becomes a learner, to catch up when it is back.
        var inSync = Config.InSync.Where(n => n != chosen);
        var learners = Config.Learners.Where(n => n != chosen);
        if (oldPrimary != chosen)
        {
            if (f.OldPrimaryRestarted)
                inSync = inSync.Append(oldPrimary);
            else
                learners = learners.Append(oldPrimary);
        }
        Reconfigure(chosen, inSync, learners, now);
    }

    private void Reconfigure(string primary, IEnumerable<string> inSync, IEnumerable<string> learners, long now)
    {
        Config = new PartitionConfig(Config.Epoch + 1, primary, inSync.Distinct().ToArray(), learners.Distinct().ToArray());
        knownNodes.UnionWith(Config.Members);
        failover = null;
        Publish(now);
    }

    private void Publish(long now)
    {
        lastPublishAt = now;
        foreach (var node in knownNodes)
            Send(node, new ConfigUpdate(Config));
    }

    private void Send(string to, ManagerMessage message) => sends.Add(new ManagerSend(to, message));

    private IReadOnlyList<ManagerSend> Flush()
    {
        if (sends.Count == 0)
            return Array.Empty<ManagerSend>();
        var result = sends.ToArray();
        sends.Clear();
        return result;
    }

    private sealed class Failover(long startedAt)
    {
        public long StartedAt { get; } = startedAt;
        public long LastRevokeAt { get; set; }
        public long FirstCandidateAt { get; private set; } = long.MaxValue;
        /// <summary>When the old primary's lease must be over: the earliest bound any candidate's report gives.</summary>
        public long LeaseOverAt { get; private set; } = long.MaxValue;
        public bool OldPrimaryRestarted { get; set; }
        public Dictionary<string, (long LastSeq, long LastEpoch)> Candidates { get; } = new(StringComparer.Ordinal);

        public void AddCandidate(string node, long lastSeq, long lastEpoch, long leaseOverAt, long now)
        {
            Candidates[node] = (lastSeq, lastEpoch);
            FirstCandidateAt = Math.Min(FirstCandidateAt, now);
            LeaseOverAt = Math.Min(LeaseOverAt, leaseOverAt);
        }
    }
}
