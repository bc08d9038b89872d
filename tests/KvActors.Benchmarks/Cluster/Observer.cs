using System.Collections.Concurrent;
using System.Diagnostics;
using KvActors.Actor;
using KvActors.Cluster;
using KvActors.Hocon;
using Microsoft.Extensions.Logging;

namespace KvActors.Benchmarks.Cluster;

/// <summary>
/// The benchmark's own actor system as a 4th member of a kvnode cluster (system "kvactors",
/// default reference.conf timings): it subscribes to every cluster event and keeps each with the
/// Stopwatch timestamp of its arrival; its own log lines are kept the same way.
/// </summary>
public sealed class Observer : IAsyncDisposable
{
    private Observer(ActorSystem system, LineLog log)
    {
        System = system;
        Log = log;
        Cluster = KvActors.Cluster.Cluster.Get(system);
        system.ActorOf(Props.Create(() => new Recorder(Events)), "cluster-bench-recorder");
    }

    public ActorSystem System { get; }
    public KvActors.Cluster.Cluster Cluster { get; }
    public LineLog Log { get; }

    /// <summary>(Stopwatch timestamp of arrival, event).</summary>
    public ConcurrentQueue<(long At, IClusterDomainEvent Event)> Events { get; } = new();

    public static Observer Join(int seedPort)
    {
        var config = Config.Parse($"""
            kvactors.actor.provider = cluster
            kvactors.remote.hostname = "127.0.0.1"
            kvactors.remote.port = 0
            kvactors.log-dead-letters = off
            kvactors.cluster.seed-nodes = ["kvactors.tcp://kvactors@127.0.0.1:{seedPort}"]
            """);
        var log = new LineLog();
        var system = ActorSystem.Create("kvactors", config, new ActorSystemSetup { LoggerFactory = log });
        return new Observer(system, log);
    }

    /// <summary>Waits until this node sees exactly <paramref name="count"/> members, all Up; false at the deadline.</summary>
    public bool AwaitMembersUp(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var members = Cluster.State.Members;
            if (members.Count == count && members.All(m => m.Status == MemberStatus.Up) && Cluster.State.Unreachable.Count == 0) return true;
            Thread.Sleep(20);
        }
        return false;
    }

    public string Describe() =>
        $"[{string.Join(", ", Cluster.State.Members.Select(m => $"{m.Address.HostPort} {m.Status}"))}] unreachable [{string.Join(", ", Cluster.State.Unreachable.Select(m => m.Address.HostPort))}] leader {Cluster.State.Leader?.HostPort ?? "none"}";

    public async ValueTask DisposeAsync()
    {
        var terminate = System.Terminate();
        await Task.WhenAny(terminate, Task.Delay(TimeSpan.FromSeconds(20)));
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(ConcurrentQueue<(long, IClusterDomainEvent)> events)
        {
            Receive<IClusterDomainEvent>(e => events.Enqueue((Stopwatch.GetTimestamp(), e)));
            ReceiveAny(_ => { }); // the CurrentClusterState snapshot
        }

        protected override void PreStart() => KvActors.Cluster.Cluster.Get(Context.System).Subscribe(Self, typeof(IClusterDomainEvent));
    }
}

/// <summary>A logger factory that keeps every formatted line (Information and up) with its Stopwatch timestamp.</summary>
public sealed class LineLog : ILoggerFactory
{
    public ConcurrentQueue<(long At, string Line)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    private sealed class Logger(LineLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            owner.Lines.Enqueue((Stopwatch.GetTimestamp(), $"[observer] {category}: {formatter(state, exception)}"));
        }
    }
}
