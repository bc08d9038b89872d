using KvActors.Store.Partitioning;

namespace KvActors.Store.Ring;

/// <summary>What an input did: the ring to publish (null when the ring did not change) and, for the log, one sentence on what happened or why it was ignored.</summary>
public readonly record struct RingOutcome(RingState? Publish, string? Note)
{
    public static readonly RingOutcome Nothing = new(null, null);

    public static RingOutcome Ignored(string why) => new(null, why);
}

/// <summary>
/// The manager's view for `kv ring show` and GetRing: the ring (null before the first), or what the first ring waits for;
/// <paramref name="WithoutPrimary"/> lists the partitions with no primary or with a primary that is not an Up member (a
/// partition whose in-sync replicas are all gone waits for one of them).
/// </summary>
public sealed record RingStatus(RingState? Ring, string? WaitingFor, IReadOnlyList<int> UnderReplicated, IReadOnlyList<int> WithoutPrimary);

/// <summary>
/// The RingManager's logic, pure: no actors, no clock (time is the <c>now</c> argument, any monotonic clock).
/// It owns the ring and changes it in answer to membership, reachability, reports from primaries and time; every
/// change is published as one ring at the next epoch, so the epoch only grows.
/// <list type="bullet">
/// <item><b>First ring</b> (of this manager). Formed once the last ring of every Up member has been reported
/// (<see cref="LastRingReported"/>), or of a majority once <see cref="Options.LastRingTimeout"/> has passed since the
/// core started; when no member reports a ring (a new cluster), also only once <see cref="Options.MinMembers"/> members
/// are Up; when one does (a restart), only once a quorum (<see cref="RingQuorum"/>) of the highest reported ring's nodes
/// has answered, with an in-sync replica of every partition among them (or a quorum after the timeout), and always a
/// quorum of the nodes of every ring the first ring replaces (<see cref="FormedFrom"/>), so the first member to start does
/// not take every partition and leave the copies on the others' disks unused. A cluster that had a ring is not held back by the minimum: after a crash and a singleton hand-over it may
/// have fewer members and must still go on. It starts from the highest-epoch ring any member reported (none: an empty ring
/// of <see cref="Options.Partitions"/> partitions, so a ring's P is kept for good once formed), plans it over the Up
/// members and publishes it at that epoch + 1 at least: the epoch continues upwards across singleton hand-over, crash
/// and a full cluster restart. Of the reported rings, the one of the highest ballot is continued (see
/// <see cref="LastRingReported"/>); after the first ring, a reported ring's epoch is passed, its placement not taken.</item>
/// <item><b>Membership.</b> A member Up, leaving or removed -> <see cref="RingPlanner.Plan"/> (joins get learners,
/// removals re-replicate where enough nodes exist; with fewer nodes than RF every partition is under-replicated and
/// still served).</item>
/// <item><b>Reports</b> from a partition's primary, made at epoch e: ignored when the partition changed after e (stale)
/// or e is ahead of the manager. A silent in-sync replica -> <see cref="RingTransitions.DropReplica"/>. A caught-up
/// learner -> <see cref="RingTransitions.PromoteLearner"/>, then Plan again, which drops the replicas it replaces.</item>
/// <item><b>Suspicion.</b> An in-sync replica that stopped granting the primary a lease at least
/// <see cref="Options.FailoverAfter"/> ago is promoted (<see cref="PrimarySuspected"/>): the replication layer's heartbeats
/// notice a dead primary sooner than Akka's failure detector.</item>
/// <item><b>Failover.</b> A primary unreachable for <see cref="Options.FailoverAfter"/> (its lease has run out by then:
/// see <see cref="RingSettings"/>) is replaced by the first of its in-sync replicas, in node order, that is Up, not
/// leaving and reachable (then a leaving one), without waiting for the member's removal; the old primary stays as a
/// learner. No such replica: the partition keeps its primary.</item>
/// </list>
/// </summary>
public sealed class RingManagerCore
{
    /// <param name="Partitions">P of a new cluster (a ring reported by a member keeps its own).</param>
    /// <param name="ReplicationFactor">Replicas wanted per partition.</param>
    /// <param name="MinMembers">Up members needed before the first ring.</param>
    /// <param name="FailoverAfter">How long a primary must be unreachable before it is replaced.</param>
    /// <param name="LastRingTimeout">After this long from the start, the first ring needs the last rings of a majority of Up members only, not all.</param>
    public sealed record Options(int Partitions, int ReplicationFactor, int MinMembers, TimeSpan FailoverAfter, TimeSpan LastRingTimeout)
    {
        public Options Validated()
        {
            if (PartitionCountRule.Problem(Partitions) is { } problem) throw new ArgumentOutOfRangeException(nameof(Partitions), Partitions, problem);
            ArgumentOutOfRangeException.ThrowIfLessThan(ReplicationFactor, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(MinMembers, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(FailoverAfter, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfLessThan(LastRingTimeout, TimeSpan.Zero);
            return this;
        }
    }

    private readonly Options _options;
    private TimeSpan _startedAt;
    private readonly SortedSet<NodeId> _up = [];
    private readonly SortedSet<NodeId> _leaving = [];
    private readonly Dictionary<NodeId, TimeSpan> _unreachableSince = [];
    private NodeId? _standsInFor;
    private readonly HashSet<NodeId> _answered = [];
    private RingState? _highestReported;
    // The ballot the best reported ring was chosen or accepted under, and the highest epoch reported at all.
    private RingBallot _highestBallot = RingBallot.None;
    private long _highestEpoch = -1;
    private RingState? _highestEpochRing;
    // What the two rings above replace, when they were reported as accepted (see RingProposal).
    private IReadOnlyList<IReadOnlyCollection<NodeId>> _highestReplaces = [], _highestEpochReplaces = [];
    // Nodes an operator declared gone for good: not counted in the quorums of the rings' nodes.
    private readonly HashSet<NodeId> _forgotten = [];
    // A change was refused because no majority of the Up members was reachable: replan once one is.
    private bool _heldBack;

    // Per partition, the epoch at which its replica set last changed: a report made before it is stale.
    private long[] _changedAt = [];

    public RingManagerCore(Options options, TimeSpan now)
    {
        _options = options.Validated();
        _startedAt = now;
    }

    /// <summary>
    /// This core is a deputy's, standing in for the manager on <paramref name="host"/>: the host's last ring is not
    /// awaited for the first ring, as an unreachable member's is not. The deputy acts because the host is unreachable
    /// or its partitions' replicas suspect it, possibly before Akka marks it unreachable; the quorums still count it.
    /// </summary>
    public void StandsInFor(NodeId host) => _standsInFor = host;

    /// <summary>The ring in force; null until the first ring is formed.</summary>
    public RingState? Ring { get; private set; }

    public bool IsFormed => Ring is not null;

    /// <summary>Members Up, leaving ones included, in node order.</summary>
    public IReadOnlyCollection<NodeId> UpMembers => _up;

    /// <summary>Up members whose last ring is not known yet (empty once the first ring is formed): the shell asks them again.</summary>
    public IReadOnlyList<NodeId> AwaitingReports => IsFormed ? [] : _up.Where(n => !_answered.Contains(n)).ToList();

    /// <summary>The highest epoch any member reported (-1: none).</summary>
    public long HighestReportedEpoch => _highestEpoch;

    /// <summary>
    /// The nodes of the reported rings the first ring replaces (see <see cref="Replaced"/>): it takes effect only once a
    /// quorum of each stored it (<see cref="RingProposal"/>). Empty before the first ring.
    /// </summary>
    public IReadOnlyList<IReadOnlyCollection<NodeId>> FormedFrom { get; private set; } = [];

    /// <summary>
    /// Stops counting <paramref name="nodes"/> (gone for good, as an operator says) in the quorums of the rings' nodes: the
    /// ones the first ring waits for here, and the ones a proposal needs (<see cref="RingPublisher"/> reads
    /// <see cref="Forgotten"/>). A forgotten node that comes back Up counts again.
    /// </summary>
    public void Forget(IEnumerable<NodeId> nodes) => _forgotten.UnionWith(nodes);

    /// <summary>The nodes <see cref="Forget"/> was told of that have not come back Up since.</summary>
    public IReadOnlySet<NodeId> Forgotten => _forgotten;

    /// <summary>The ring and its state; <see cref="RingStatus.WaitingFor"/> is, once formed, why changes are held (null: none are).</summary>
    public RingStatus Status() =>
        Ring is { } ring
            ? new RingStatus(ring, HasMajority ? null : HeldNote(), RingTransitions.UnderReplicated(ring), WithoutServingPrimary(ring))
            : new RingStatus(null, WaitingFor(), [], []);

    /// <summary>
    /// Another manager collected the members' rings under a higher ballot since this one did: forget the ring and the
    /// answers and form the first ring again from the members' answers under a new ballot (membership and reachability
    /// are kept). Until then this manager changes nothing.
    /// </summary>
    public void Recollect(TimeSpan now)
    {
        Ring = null;
        _answered.Clear();
        _highestReported = null;
        _highestBallot = RingBallot.None;
        _highestEpoch = -1;
        _highestEpochRing = null;
        _highestReplaces = _highestEpochReplaces = [];
        FormedFrom = [];
        _heldBack = false;
        _changedAt = [];
        _startedAt = now;
    }

    public RingOutcome MemberUp(NodeId node, TimeSpan now)
    {
        _forgotten.Remove(node);
        if (!_up.Add(node)) return RingOutcome.Nothing;
        if (!IsFormed) return TryForm(now);
        var outcome = Replan($"{node} is Up");
        // A node the ring kept in sync while it was gone (the last in-sync replica of a partition: see RingPlanner) is
        // back, restarted. Its placement may not change, but a restarted replica adopts only an epoch above the one it
        // had, so its partitions are published again at the next epoch, or they would wait for it forever.
        if (outcome.Publish is null && HasMajority && Ring!.Partitions.Any(set => set.IsInSync(node)))
            return Publish(Ring, $"{node} is Up again, in sync where the ring kept it", renewed: node);
        return outcome;
    }

    /// <summary>The member is leaving (Leaving or Exiting): it gets no new replica and hands its replicas off.</summary>
    public RingOutcome MemberLeaving(NodeId node, TimeSpan now)
    {
        _up.Add(node);
        if (!_leaving.Add(node)) return RingOutcome.Nothing;
        return IsFormed ? Replan($"{node} is leaving") : TryForm(now);
    }

    public RingOutcome MemberRemoved(NodeId node, TimeSpan now)
    {
        var wasUp = _up.Remove(node);
        _leaving.Remove(node);
        _unreachableSince.Remove(node);
        if (!wasUp) return RingOutcome.Nothing;
        return IsFormed ? Replan($"{node} was removed") : TryForm(now);
    }

    public RingOutcome Unreachable(NodeId node, TimeSpan now)
    {
        _unreachableSince.TryAdd(node, now);
        return IsFormed ? FailOver(now) : RingOutcome.Nothing;
    }

    public RingOutcome Reachable(NodeId node, TimeSpan now)
    {
        _unreachableSince.Remove(node);
        return RingOutcome.Nothing;
    }

    /// <summary>
    /// A member's keeper answered with the newest ring it stored (null: none), applied or accepted, and the ballot it was
    /// chosen or accepted under. Before the first ring, as in Paxos, the ring of the highest ballot is the one continued
    /// (only it can have been chosen: a ring of a lower ballot at a higher epoch was never stored by a majority), at an
    /// epoch above every reported one. Once formed, a reported ring's placement is never taken over: a ring chosen since
    /// this manager collected would have come with a higher promise, which makes the shell collect again
    /// (<see cref="Recollect"/>), so one reported now is a ring no majority stored, and continuing from it would mix
    /// another manager's history into this one's. Its epoch still counts: the manager's own placement is published
    /// above it, so a keeper that stored it is not left on a ring nobody else applies.
    /// </summary>
    public RingOutcome LastRingReported(NodeId node, RingState? ring, TimeSpan now, RingBallot ballot = default,
        IReadOnlyList<IReadOnlyCollection<NodeId>>? replaces = null)
    {
        if (ring is { IsUnformed: true }) ring = null;
        if (IsFormed)
            return ring is null || ring.Epoch < Ring!.Epoch || ring.Equals(Ring)
                ? RingOutcome.Nothing
                : Adopt(RingPlanner.Plan(Ring, _up, _options.ReplicationFactor, _leaving), ring.Epoch + 1,
                    $"{node} reported {ring} (ballot {ballot}), not below the manager's epoch {Ring.Epoch}: the manager's own ring is published above it");
        _answered.Add(node);
        // The best ever reported counts, even if its reporter later reports less (a damaged file, a wiped node).
        if (ring is not null)
        {
            if (ring.Epoch > _highestEpoch)
            {
                _highestEpoch = ring.Epoch;
                _highestEpochRing = ring;
                _highestEpochReplaces = replaces ?? [];
            }
            var better = _highestReported is not { } best
                         || ballot > _highestBallot
                         || (ballot.CompareTo(_highestBallot) == 0 && ring.Epoch > best.Epoch);
            if (better)
            {
                _highestReported = ring;
                _highestBallot = ballot;
                _highestReplaces = replaces ?? [];
            }
        }
        return TryForm(now);
    }

    /// <summary>The primary of <paramref name="partition"/>, at <paramref name="epoch"/>, reports the in-sync replica <paramref name="node"/> silent.</summary>
    public RingOutcome ReplicaSilent(int partition, NodeId node, long epoch, TimeSpan now) =>
        Reports([new SilentReplica(partition, node, epoch)], now);

    /// <summary>The primary of <paramref name="partition"/>, at <paramref name="epoch"/>, reports the learner <paramref name="node"/> caught up.</summary>
    public RingOutcome LearnerCaughtUp(int partition, NodeId node, long epoch, TimeSpan now) =>
        Reports([new CaughtUp(partition, node, epoch)], now);

    /// <summary>The in-sync replica <paramref name="node"/> of <paramref name="partition"/> suspects its primary (see <see cref="SuspectedPrimary"/>).</summary>
    public RingOutcome PrimarySuspected(int partition, NodeId node, long epoch, TimeSpan? sinceLastGrant, TimeSpan now) =>
        Reports([new SuspectedPrimary(partition, node, epoch, sinceLastGrant)], now);

    /// <summary>
    /// Reports gathered over one tick, applied in order to one working ring and published as ONE new epoch. A node
    /// joining a cluster of P partitions becomes a learner of about RF x P / N of them, and a crashed node leaves about
    /// P / N partitions without their primary: one epoch per report would raise the epoch by hundreds for one event.
    /// <list type="bullet">
    /// <item>A silent in-sync replica is dropped from the in-sync set (<see cref="RingTransitions.DropReplica"/>).</item>
    /// <item>A caught-up learner is promoted (<see cref="RingTransitions.PromoteLearner"/>); the ring is then planned
    /// again, which drops the replicas the learners replace.</item>
    /// <item>A suspected primary is replaced by the reporter, an in-sync replica holding every committed write, once the
    /// reporter stopped granting it a lease at least <see cref="Options.FailoverAfter"/> ago (the lease period plus its
    /// margin), so the old primary serves nothing more. Replication heartbeats notice a dead primary sooner than Akka's
    /// failure detector; a wrong suspicion (the primary is alive but cut off from this replica) costs one promotion.</item>
    /// </list>
    /// A report is stale when its partition changed after the epoch it was made at; so is any later report, in the same
    /// batch, about a partition that failed over earlier in it (it was made about the old primary). Reports are repeated
    /// by the replicas while they still hold, so an ignored one costs at most one report interval.
    /// </summary>
    public RingOutcome Reports(IReadOnlyList<RingReport> reports, TimeSpan now)
    {
        if (IsFormed && NoMajority() is { } held) return held;
        var ring = Ring;
        var applied = new List<RingReport>();
        var ignored = new List<string>();
        var failedOver = new HashSet<int>();
        foreach (var report in reports)
        {
            var why = Stale(report.Partition, report.Epoch, What(report), report.Node)?.Note
                      ?? (failedOver.Contains(report.Partition)
                          ? $"A report about partition {report.Partition} came in the same batch as its failover: ignored as stale."
                          : null);
            RingChange? change = null;
            if (why is null)
            {
                (change, why) = report switch
                {
                    SilentReplica silent => (RingTransitions.DropReplica(ring!, silent.Partition, silent.Node), null),
                    CaughtUp caughtUp when ring![caughtUp.Partition].Primary is null =>
                        (null, $"Partition {caughtUp.Partition} has no primary, so nobody can have seen {caughtUp.Node} catch up: the report is ignored."),
                    // A learner that dies right after acknowledging everything still looks caught up to its primary
                    // while no new write comes; promoting it would put a dead node back in the in-sync set (and the
                    // plan that follows could give it primaries).
                    CaughtUp caughtUp when !_up.Contains(caughtUp.Node) || _unreachableSince.ContainsKey(caughtUp.Node) =>
                        (null, $"{caughtUp.Node} caught up in partition {caughtUp.Partition} but is not an Up, reachable member: not promoted."),
                    CaughtUp caughtUp => (RingTransitions.PromoteLearner(ring!, caughtUp.Partition, caughtUp.Node), null),
                    SuspectedPrimary suspected => Suspicion(ring!, suspected),
                    _ => (null, $"A report of kind {report.GetType().Name} is not known: ignored."),
                };
            }
            if (change is null || change.IsRefused)
            {
                ignored.Add(why ?? change!.Refusal!);
                continue;
            }
            ring = change.Ring;
            applied.Add(report);
            if (report is SuspectedPrimary) failedOver.Add(report.Partition);
        }
        if (applied.Count == 0) return RingOutcome.Ignored(string.Join(" ", ignored));
        if (applied.Any(r => r is CaughtUp))
            ring = RingPlanner.Plan(ring!, _up, _options.ReplicationFactor, _leaving);
        return Publish(ring!, Summary(applied));
    }

    private (RingChange? Change, string? Why) Suspicion(RingState ring, SuspectedPrimary report)
    {
        var (partition, node) = (report.Partition, report.Node);
        var set = ring[partition];
        if (set.Primary is not { } primary || primary == node || !set.InSync.Contains(node))
            return (null, $"{node} suspects the primary of partition {partition} but is not one of its in-sync backups: ignored.");
        if (report.SinceLastGrant is not { } since || since < _options.FailoverAfter)
            return (null, $"{node} suspects {primary} in partition {partition}, but granted a lease too recently for it to have run out: waiting for a later report.");
        if (!_up.Contains(node) || _unreachableSince.ContainsKey(node))
            return (null, $"{node} suspects {primary} in partition {partition} but is not an Up, reachable member: ignored.");
        return (RingTransitions.Failover(ring, partition, node), null);
    }

    private static string What(RingReport report) => report switch
    {
        SilentReplica => "silent",
        CaughtUp => "caught up",
        _ => "suspecting its primary",
    };

    /// <summary>One sentence for the log: each kind of report applied, with its nodes and partitions (or how many).</summary>
    private string Summary(IReadOnlyList<RingReport> applied)
    {
        var parts = new List<string>();
        foreach (var group in applied.GroupBy(r => r.GetType()))
        {
            var list = group.ToList();
            var first = list[0];
            parts.Add(first switch
            {
                SilentReplica when list.Count == 1 => $"{first.Node} is silent in partition {first.Partition}: dropped from its in-sync replicas",
                SilentReplica => $"{list.Count} silent replicas dropped ({Nodes(list)})",
                CaughtUp when list.Count == 1 => $"{first.Node} caught up in partition {first.Partition}: in sync",
                CaughtUp => $"{list.Count} learners caught up ({Nodes(list)}): in sync",
                SuspectedPrimary s when list.Count == 1 =>
                    $"{s.Node} suspects {Ring![s.Partition].Primary} in partition {s.Partition}: promoted after {s.SinceLastGrant!.Value.TotalMilliseconds:F0} ms without granting a lease",
                _ => $"{list.Count} partitions failed over on their replicas' suspicion (from {string.Join(", ", list.Select(r => Ring![r.Partition].Primary).Distinct())})",
            });
        }
        return string.Join("; ", parts);

        static string Nodes(IEnumerable<RingReport> reports) =>
            string.Join("; ", reports.GroupBy(r => r.Node).Select(g => $"{g.Key} in {g.Count()} partitions"));
    }

    /// <summary>
    /// Whether more than half of the Up members are reachable from here. A manager that sees most members unreachable is
    /// probably on the minority side of a partition, which the split-brain resolver is about to down: a ring it published
    /// there could make its own node the sole in-sync replica and have it acknowledge writes the surviving side never
    /// sees. So it changes nothing until a majority is back, or the unreachable members are removed (<see cref="Tick"/>
    /// then makes the held changes).
    /// </summary>
    private bool HasMajority => _up.Count(n => !_unreachableSince.ContainsKey(n)) * 2 > _up.Count;

    /// <summary>Null with a majority; otherwise the ring is held (and replanned once a majority is back) and this says why.</summary>
    private RingOutcome? NoMajority()
    {
        if (HasMajority) return null;
        _heldBack = true;
        return RingOutcome.Ignored(HeldNote());
    }

    private string HeldNote() =>
        $"Only {_up.Count(n => !_unreachableSince.ContainsKey(n))} of {_up.Count} Up members are reachable: the ring is held until a majority is (this manager may be on the minority side of a partition).";

    /// <summary>Time passes: the first ring's collection timeout, failover deadlines, changes held while no majority was reachable.</summary>
    public RingOutcome Tick(TimeSpan now)
    {
        if (!IsFormed) return TryForm(now);
        if (_heldBack && HasMajority)
        {
            _heldBack = false;
            var replanned = Replan("A majority of the Up members is reachable again");
            if (replanned.Publish is not null) return replanned;
        }
        return FailOver(now);
    }

    private RingOutcome? Stale(int partition, long epoch, string what, NodeId node)
    {
        if (Ring is null) return RingOutcome.Ignored($"A report that {node} is {what} in partition {partition} came before the first ring: ignored.");
        if (partition < 0 || partition >= Ring.PartitionCount)
            return RingOutcome.Ignored($"A report names partition {partition}, outside 0..{Ring.PartitionCount - 1}: ignored.");
        if (epoch < _changedAt[partition] || epoch > Ring.Epoch)
            return RingOutcome.Ignored($"A report that {node} is {what} in partition {partition} was made at epoch {epoch}, but the partition last changed at epoch {_changedAt[partition]} (ring epoch {Ring.Epoch}): ignored as stale.");
        return null;
    }

    private RingOutcome TryForm(TimeSpan now)
    {
        if (WaitingFor(now) is { } waiting) return RingOutcome.Ignored(waiting);
        var highest = _highestReported;
        var from = highest ?? RingState.Empty(_options.Partitions, _options.ReplicationFactor);
        var planned = RingPlanner.Plan(from, _up, _options.ReplicationFactor, _leaving);
        var answered = _up.Count(_answered.Contains);
        FormedFrom = Replaced();
        return Adopt(planned, Math.Max(from.Epoch, _highestEpoch) + 1,
            $"First ring formed over {_up.Count} members from {(highest is null ? "no earlier ring" : $"the highest reported ring, epoch {highest.Epoch}")} ({answered} of {_up.Count} reported)");
    }

    private string? WaitingFor(TimeSpan? now = null)
    {
        // A cluster that had a ring goes on from it with the members it has (a singleton hand-over after a crash may leave
        // fewer than the minimum); only a new cluster waits for its minimum. (kvnode also gives the minimum to Akka, which
        // moves no member Up before it is reached, so a full restart waits for it too.)
        if (_up.Count < _options.MinMembers && _highestReported is null)
            return $"The first ring of a new cluster waits for {_options.MinMembers} members to be Up ({_up.Count} are).";
        // Every reachable member is awaited, until the timeout, since a slow one may hold the highest ring; then a
        // majority's answers do (with the quorums of the rings' nodes below). An unreachable member is not awaited, nor
        // the host a deputy stands in for (a crashed manager's host, maybe not yet unreachable).
        var answered = _up.Count(_answered.Contains);
        var awaited = _up.Count(n => !_answered.Contains(n) && !_unreachableSince.ContainsKey(n) && n != _standsInFor);
        var timedOut = now is { } t && t - _startedAt >= _options.LastRingTimeout;
        if (answered < _up.Count && !(answered > _up.Count / 2 && (awaited == 0 || timedOut)))
            return $"The first ring waits for the last ring of every Up member ({answered} of {_up.Count} answered), or of a majority once the others are unreachable or after {_options.LastRingTimeout.TotalMilliseconds} ms.";
        // No ring reported: a new cluster, or one whose ring is held only by members that have not answered (members that
        // joined and crashed before they stored any ring could be the majority that answered). So a new cluster's first
        // ring needs the minimum of members to have answered, not only to be Up: a ring's history never starts over.
        if (_highestReported is null && answered < _options.MinMembers)
            return $"The first ring of a new cluster waits for {_options.MinMembers} members to answer that they hold no ring ({answered} have): one that has not may hold the cluster's ring.";
        // After a full restart the members come back one by one. A ring formed over the first of them would make the
        // others learners and drop the copies on their disks, and a partition whose in-sync replicas are all late would
        // have no primary. So the last ring's own nodes are awaited: a majority of them with an in-sync replica of every
        // partition among them (as after a crash and a singleton hand-over), all of them, or a majority after the timeout.
        // Awaited means answered, not only Up: a node that is Up but silent (crashed, not removed yet) may hold a newer
        // ring than any answer, chosen while the membership was smaller. Counting Up nodes let the ring publication
        // simulation (with membership changes) lose a chosen ring in 9 seeds of 3,000; counting answers, in 2. Trades:
        // when a partition's only in-sync replica is a silent node (its others were dropped), a new manager's first
        // ring, and so its failovers, wait out the timeout.
        if (_highestReported is { } last)
        {
            var known = RingQuorum.Without(last.Nodes, _forgotten);
            var back = known.Count(_answered.Contains);
            var quorum = RingQuorum.IsMet(known, _answered.Contains);
            var everyPartitionServed = last.Partitions.All(set => set.InSync.Any(_answered.Contains));
            if (back < known.Count && !(quorum && (everyPartitionServed || timedOut)))
                return $"The first ring after a restart waits for the nodes of the last ring to answer ({RingQuorum.Describe(known, _answered.Contains)}): a quorum holding an in-sync replica of every partition, or a quorum after {_options.LastRingTimeout.TotalMilliseconds} ms.";
        }
        // Any of the rings the first ring replaces may be the newest chosen one, and a ring chosen after it was stored by
        // a quorum of its nodes: one of theirs is awaited, however long it takes (a lost ring is worse than a late one).
        foreach (var nodes in Replaced().Select(set => RingQuorum.Without(set, _forgotten)))
        {
            if (!RingQuorum.IsMet(nodes, _answered.Contains))
                return $"The first ring waits for a quorum of the nodes of a ring it replaces to answer ({RingQuorum.Describe(nodes, _answered.Contains)}).";
        }
        return null;
    }

    /// <summary>
    /// The nodes of every ring the first ring replaces, each set once: the ring continued and the one of the highest epoch
    /// (either may be the newest chosen one, the other a proposal that never took effect) and, for one reported as
    /// accepted only, the rings it replaced in turn (the newest chosen one may be among those).
    /// </summary>
    private List<IReadOnlyCollection<NodeId>> Replaced()
    {
        var sets = new List<IReadOnlyCollection<NodeId>>();
        void Add(IReadOnlyCollection<NodeId> nodes)
        {
            if (nodes.Count > 0 && !sets.Any(set => set.SequenceEqual(nodes))) sets.Add(nodes);
        }
        foreach (var (ring, replaces) in new[] { (_highestReported, _highestReplaces), (_highestEpochRing, _highestEpochReplaces) })
        {
            if (ring is null) continue;
            Add(ring.Nodes);
            foreach (var nodes in replaces) Add(nodes);
        }
        return sets;
    }

    private RingOutcome Replan(string why) =>
        NoMajority() ?? Publish(RingPlanner.Plan(Ring!, _up, _options.ReplicationFactor, _leaving), why);

    private RingOutcome FailOver(TimeSpan now)
    {
        if (_unreachableSince.Count == 0) return RingOutcome.Nothing;
        if (NoMajority() is { } held) return held;
        var ring = Ring!;
        var moved = new List<int>();
        for (var p = 0; p < ring.PartitionCount; p++)
        {
            if (ring[p].Primary is not { } primary
                || !_unreachableSince.TryGetValue(primary, out var since)
                || now - since < _options.FailoverAfter)
                continue;
            var candidates = ring[p].InSync.Skip(1).Where(n => _up.Contains(n) && !_unreachableSince.ContainsKey(n)).ToList();
            if (candidates.OrderBy(_leaving.Contains).FirstOrDefault() is not { Value: not null } next)
                continue;
            ring = RingTransitions.Failover(ring, p, next).Ring;
            moved.Add(p);
        }
        if (moved.Count == 0) return RingOutcome.Nothing;
        var from = string.Join(", ", moved.Select(p => Ring![p].Primary).Distinct());
        return Publish(ring, $"Failover of {moved.Count} partitions from unreachable {from} after {_options.FailoverAfter.TotalMilliseconds} ms");
    }

    /// <summary>
    /// Publishes <paramref name="candidate"/>'s placement at the next epoch, as one change, if it differs from the ring in
    /// force, or <paramref name="renewed"/> names a node whose partitions must get a new epoch even so.
    /// </summary>
    private RingOutcome Publish(RingState candidate, string why, NodeId? renewed = null)
    {
        var current = Ring!;
        if (renewed is null && candidate.SamePlacementAs(current)) return RingOutcome.Nothing;
        var next = new RingState(current.Epoch + 1, candidate.PartitionCount, candidate.ReplicationFactor, candidate.Partitions);
        for (var p = 0; p < next.PartitionCount; p++)
        {
            if (!next[p].Equals(current[p]) || (renewed is { } node && next[p].Contains(node))) _changedAt[p] = next.Epoch;
        }
        Ring = next;
        return new RingOutcome(next, $"{why}: {Describe(next)}.");
    }

    /// <summary>Takes over <paramref name="placement"/> at <paramref name="epoch"/> (above anything known); every partition counts as changed.</summary>
    private RingOutcome Adopt(RingState placement, long epoch, string why)
    {
        var next = new RingState(Math.Max(epoch, (Ring?.Epoch ?? 0) + 1), placement.PartitionCount, placement.ReplicationFactor, placement.Partitions);
        _changedAt = Enumerable.Repeat(next.Epoch, next.PartitionCount).ToArray();
        Ring = next;
        return new RingOutcome(next, $"{why}: {Describe(next)}.");
    }

    /// <summary>Partitions with no primary, or whose primary is not an Up member.</summary>
    private List<int> WithoutServingPrimary(RingState ring) =>
        Enumerable.Range(0, ring.PartitionCount).Where(p => ring[p].Primary is not { } primary || !_up.Contains(primary)).ToList();

    private string Describe(RingState ring)
    {
        var under = RingTransitions.UnderReplicated(ring).Count;
        var orphaned = WithoutServingPrimary(ring).Count;
        var learning = ring.Partitions.Count(s => !s.Learners.IsEmpty);
        return $"epoch {ring.Epoch}, {ring.Nodes.Count} nodes"
               + (learning > 0 ? $", {learning} partitions with learners" : "")
               + (under > 0 ? $", {under} under-replicated" : "")
               + (orphaned > 0 ? $", {orphaned} without a primary that is Up" : "");
    }
}
