using Akka.Actor;

namespace KvActors.Store.Shards;

/// <summary>ShardHost -> ShardActor: report <see cref="PartitionStats"/> to the sender.</summary>
public sealed class GetPartitionStats
{
    public static readonly GetPartitionStats Instance = new();

    private GetPartitionStats() { }
}

/// <summary>
/// One statistics request at a node's <see cref="ShardHost"/> (a child of it): asks each partition actor for its
/// <see cref="PartitionStats"/>, and once all have answered or <c>deadline</c> has passed, sends
/// <c>answer(reports, unanswered)</c> to <c>replyTo</c> and stops. A slow partition (one still loading, or busy with
/// storage) is counted as unanswered rather than waited for, so a command never hangs on it.
/// </summary>
public sealed class StatsGatherer : ReceiveActor, IWithTimers
{
    private readonly IReadOnlyCollection<IActorRef> _shards;
    private readonly TimeSpan _deadline;
    private readonly Dictionary<int, PartitionStats> _reports = new();

    public StatsGatherer(IReadOnlyCollection<IActorRef> shards, TimeSpan deadline, IActorRef replyTo,
        Func<IReadOnlyList<PartitionStats>, int, object> answer)
    {
        _shards = shards;
        _deadline = deadline;
        Receive<PartitionStats>(report =>
        {
            _reports[report.Partition] = report;
            if (_reports.Count >= _shards.Count) Finish(replyTo, answer);
        });
        Receive<Deadline>(_ => Finish(replyTo, answer));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyCollection<IActorRef> shards, TimeSpan deadline, IActorRef replyTo,
        Func<IReadOnlyList<PartitionStats>, int, object> answer) =>
        Akka.Actor.Props.Create(() => new StatsGatherer(shards, deadline, replyTo, answer));

    protected override void PreStart()
    {
        if (_shards.Count == 0)
        {
            Self.Tell(Deadline.Instance);
            return;
        }
        foreach (var shard in _shards)
            shard.Tell(GetPartitionStats.Instance, Self);
        Timers.StartSingleTimer(nameof(Deadline), Deadline.Instance, _deadline);
    }

    private void Finish(IActorRef replyTo, Func<IReadOnlyList<PartitionStats>, int, object> answer)
    {
        var reports = _reports.Values.OrderBy(r => r.Partition).ToList();
        replyTo.Tell(answer(reports, Math.Max(0, _shards.Count - reports.Count)), Context.Parent);
        Context.Stop(Self); // a report arriving later is a dead letter, not logged (PartitionStats suppresses it)
    }

    private sealed class Deadline
    {
        public static readonly Deadline Instance = new();
    }
}
