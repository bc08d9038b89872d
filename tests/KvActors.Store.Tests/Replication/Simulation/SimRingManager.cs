using KvActors.Store.Partitioning;
using KvActors.Store.Replication;
using KvActors.Store.Ring;
using KvActors.Store.Shards;

namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>
/// The production <see cref="RingManagerCore"/> as the simulation's configuration manager, over a ring of one partition,
/// fed as the RingManager actor feeds it: membership and reachability as Akka's failure detector and split-brain resolver
/// would report them (here from the nodes' <see cref="Alive"/> messages), the replicas' reports gathered between ticks and
/// applied together at the next tick. Times are the manager's own clock, in ms.
/// </summary>
/// <remarks>
/// Membership, as a kvnode cluster sees it: a node silent for the detector timeout is unreachable, and reachable again
/// when it is heard from. One unreachable for <see cref="DownAfterMs"/> while a majority is reachable is downed and
/// removed (a downed kvnode shuts down: the simulation crashes it, and it restarts later as a new member). A node heard
/// from with a new incarnation restarted: Akka removes the old incarnation when the new one joins, so it is removed and
/// Up again. Left out: the keepers' majority acceptance of each ring before it is published (this manager never moves,
/// so it has no rival to fence off) and Akka's gossip delays.
/// </remarks>
internal sealed class SimRingManager
{
    /// <summary>Split-brain resolver: how long a member stays unreachable before it is downed (scaled as the other timings).</summary>
    public const long DownAfterMs = 600;

    private readonly RingManagerCore core;
    private readonly string[] nodes;
    private readonly Dictionary<string, long> unreachableSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> removed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> incarnations = new(StringComparer.Ordinal);
    private readonly List<RingReport> reports = new();
    private string? lastNote;

    public SimRingManager(string[] nodes, ReplicationSettings settings, long now)
    {
        this.nodes = nodes;
        // Failover once the old primary's lease must have run out: the production rule (RingSettings.LeaseProblem).
        var options = new RingManagerCore.Options(Partitions: 1, ReplicationFactor: nodes.Length, MinMembers: nodes.Length,
            FailoverAfter: TimeSpan.FromMilliseconds(settings.LeasePeriodMs + settings.LeaseMarginMs), LastRingTimeout: TimeSpan.FromSeconds(1));
        core = new RingManagerCore(options, At(now));
        foreach (var node in nodes)
        {
            core.MemberUp(new NodeId(node), At(now));
            core.LastRingReported(new NodeId(node), null, At(now));
            incarnations[node] = 0;
        }
        if (core.Ring is null)
            throw new InvalidOperationException("the first ring was not formed over every node");
    }

    public RingState Ring => core.Ring!;

    /// <summary>Whether the node is a member the manager sees reachable.</summary>
    public bool IsReachableMember(string node) => !removed.Contains(node) && !unreachableSince.ContainsKey(node);

    /// <summary>The partition's configuration in the ring in force; null while it has no primary.</summary>
    public PartitionConfig? Config => RingConfig.Of(Ring, 0);

    /// <summary>A replica's report, gathered for the next tick (JoinRequest and ConfigRequest are dropped, as the shell does).</summary>
    public void Report(ManagerReport report)
    {
        var from = new NodeId(report.From);
        RingReport? mapped = report switch
        {
            ReplicaSilent r => new SilentReplica(0, new NodeId(r.Replica), r.Epoch),
            LearnerCaughtUp r => new CaughtUp(0, new NodeId(r.Learner), r.Epoch),
            PrimarySuspected r => new SuspectedPrimary(0, from, r.Epoch, r.SinceLastGrantMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null),
            _ => null,
        };
        if (mapped is not null)
            reports.Add(mapped);
    }

    /// <summary>
    /// One tick of the manager at <paramref name="now"/>: membership from <paramref name="heard"/> (per node, the
    /// incarnation last heard from and whether that was within the detector timeout), then the gathered reports, then
    /// time. Returns the nodes downed now (the caller shuts them down); <see cref="Ring"/> is the ring in force after it.
    /// </summary>
    public IReadOnlyList<string> Tick(long now, Func<string, (int Incarnation, bool Recent)> heard, Action<string> note)
    {
        var downed = new List<string>();
        foreach (var node in nodes)
        {
            var id = new NodeId(node);
            var (incarnation, recent) = heard(node);
            if (recent && (removed.Contains(node) || incarnation != incarnations[node]))
            {
                if (!removed.Contains(node))
                    Note(core.MemberRemoved(id, At(now)), note, $"{node} restarted, its old incarnation removed");
                removed.Remove(node);
                unreachableSince.Remove(node);
                incarnations[node] = incarnation;
                Note(core.MemberUp(id, At(now)), note, $"{node} is Up");
            }
            else if (removed.Contains(node))
                continue;
            else if (!recent && !unreachableSince.ContainsKey(node))
            {
                unreachableSince[node] = now;
                Note(core.Unreachable(id, At(now)), note, $"{node} is unreachable");
            }
            else if (recent && unreachableSince.Remove(node))
                Note(core.Reachable(id, At(now)), note, $"{node} is reachable");
        }
        var reachable = nodes.Count(n => !removed.Contains(n) && !unreachableSince.ContainsKey(n));
        var members = nodes.Count(n => !removed.Contains(n));
        foreach (var (node, since) in unreachableSince.ToArray())
        {
            if (now - since < DownAfterMs || reachable * 2 <= members)
                continue;
            unreachableSince.Remove(node);
            removed.Add(node);
            downed.Add(node);
            Note(core.MemberRemoved(new NodeId(node), At(now)), note, $"{node} is downed and removed");
        }
        if (reports.Count > 0)
        {
            Note(core.Reports(reports.ToArray(), At(now)), note, "reports");
            reports.Clear();
        }
        Note(core.Tick(At(now)), note, "tick");
        return downed;
    }

    /// <summary>Traces a published ring, and a reason for ignoring an input unless it repeats the last one.</summary>
    private void Note(RingOutcome outcome, Action<string> note, string what)
    {
        if (outcome.Note is null || (outcome.Publish is null && outcome.Note == lastNote))
            return;
        lastNote = outcome.Note;
        note($"ring manager, {what}: {outcome.Note}");
    }

    private static TimeSpan At(long ms) => TimeSpan.FromMilliseconds(ms);
}
