using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace KvActors.Benchmarks.Cluster;

/// <summary>
/// This process as a member of a kvnode cluster: an Akka.Cluster node with the same system name
/// ("kvactors") and the same reference.conf settings (failure detector, split-brain resolver),
/// loopback port 0, role "bench-observer". It subscribes to every cluster event and keeps each
/// with the Stopwatch timestamp of its arrival. If it is downed it stays alive to report it
/// (run-coordinated-shutdown-when-down = off).
/// </summary>
public sealed class Observer : IDisposable
{
    public const string Role = "bench-observer";

    private Observer(ActorSystem system)
    {
        System = system;
        Cluster = Akka.Cluster.Cluster.Get(system);
        system.ActorOf(Props.Create(() => new Recorder(Events)), "cluster-bench-recorder");
    }

    public ActorSystem System { get; }
    public Akka.Cluster.Cluster Cluster { get; }

    /// <summary>(Stopwatch timestamp of arrival, event).</summary>
    public ConcurrentQueue<(long At, IClusterDomainEvent Event)> Events { get; } = new();

    public static Observer Join(IEnumerable<int> seedPorts)
    {
        var name = BenchAkka.ClusterSystemName;
        var seeds = string.Join(", ", seedPorts.Select(p => $"\"akka.tcp://{name}@127.0.0.1:{p}\""));
        var config = BenchAkka.Config($"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.port = 0
            akka.cluster.seed-nodes = [{seeds}]
            akka.cluster.roles = [{Role}]
            akka.cluster.run-coordinated-shutdown-when-down = off
            akka.log-dead-letters = off
            """);
        return new Observer(ActorSystem.Create(name, config));
    }

    /// <summary>
    /// Waits until this node sees exactly <paramref name="count"/> members, all Up, none
    /// unreachable, and <paramref name="also"/> holds; false at the deadline or when
    /// <paramref name="abort"/> says why not.
    /// </summary>
    public bool AwaitMembersUp(int count, TimeSpan timeout, Func<string?>? abort = null, Func<CurrentClusterState, bool>? also = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var state = Cluster.State;
            if (state.Members.Count == count && state.Members.All(m => m.Status == MemberStatus.Up) && state.Unreachable.Count == 0
                && (also is null || also(state))) return true;
            if (abort?.Invoke() is { } why) throw new InvalidOperationException(why);
            Thread.Sleep(10);
        }
        return false;
    }

    public string Describe()
    {
        var state = Cluster.State;
        return $"[{string.Join(", ", state.Members.Select(m => $"{m.Address.Host}:{m.Address.Port} {m.Status}"))}] unreachable [{string.Join(", ", state.Unreachable.Select(m => $"{m.Address.Host}:{m.Address.Port}"))}] leader {Port(state.Leader)}";
    }

    public static string Port(Address? a) => a is null ? "none" : $"{a.Host}:{a.Port}";

    public static string Describe(IClusterDomainEvent e) => e switch
    {
        ReachabilityEvent r => $"{e.GetType().Name} {Port(r.Member.Address)}",
        MemberStatusChange m => $"{e.GetType().Name} {Port(m.Member.Address)}",
        LeaderChanged l => $"LeaderChanged {Port(l.Leader)}",
        _ => e.GetType().Name,
    };

    public void Dispose()
    {
        // Terminate runs the coordinated shutdown, which leaves the cluster; bounded, as the kvnodes may be gone.
        System.Terminate().Wait(TimeSpan.FromSeconds(20));
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(ConcurrentQueue<(long, IClusterDomainEvent)> events)
        {
            Receive<IClusterDomainEvent>(e => events.Enqueue((Stopwatch.GetTimestamp(), e)));
            ReceiveAny(_ => { }); // the CurrentClusterState snapshot
        }

        protected override void PreStart() =>
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IClusterDomainEvent));
    }
}
