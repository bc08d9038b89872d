using Akka.Actor;
using Akka.Event;

namespace KvActors.Store.Shards;

/// <summary>
/// The node's log of what its partitions report to the RingManager about other nodes (<c>/user/shard-reports</c>):
/// the reports noted within one <see cref="Window"/> become one INFO line per kind and node (<see cref="ShardReportDigest"/>).
/// </summary>
public sealed class ShardReportLog : ReceiveActor, IWithTimers
{
    /// <summary>
    /// How long reports are gathered before they are logged: the partitions of a node tick on one 100 ms grid, and the
    /// reports a crash sets off come within a few grid points of each other; a repeated report (every report interval
    /// while the ring has not changed) makes another line a window later.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ShardReportDigest _digest = new();

    public ShardReportLog()
    {
        Receive<ShardReportNoted>(r =>
        {
            if (_digest.IsEmpty)
                Timers.StartSingleTimer("flush", Flush.Instance, Window);
            _digest.Note(r);
        });
        Receive<Flush>(_ =>
        {
            foreach (var line in _digest.Drain())
                _log.Info(line);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new ShardReportLog());

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ShardReportNoted));

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        foreach (var line in _digest.Drain())
            _log.Info(line);
    }

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }
}
