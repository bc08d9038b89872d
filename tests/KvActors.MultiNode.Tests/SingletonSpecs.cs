using KvActors.Actor;
using KvActors.Cluster;
using KvActors.Cluster.Tools.Singleton;
using KvActors.TestKit;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// Every start and stop of a singleton instance, with its node, in one global order (the
/// nodes share this process). The invariant "at most one instance at any time" is: the events
/// alternate start, stop, start, stop... with each stop on the node of the start before it.
/// </summary>
internal sealed class InstanceRecorder
{
    private readonly List<(string Event, Address Node)> _events = [];

    public void Record(string e, Address node) { lock (_events) _events.Add((e, node)); }

    public IReadOnlyList<(string Event, Address Node)> Events { get { lock (_events) return [.. _events]; } }

    public IReadOnlyList<Address> Starts => Events.Where(e => e.Event == "start").Select(e => e.Node).ToList();

    public void AssertAtMostOneAtATime()
    {
        var events = Events;
        Address? running = null;
        foreach (var (e, node) in events)
        {
            if (e == "start")
            {
                if (running is not null)
                    throw new XunitException($"Two singleton instances at once: started on {node} while the one on {running} still ran. Events: {Describe(events)}");
                running = node;
            }
            else
            {
                if (!node.Equals(running)) throw new XunitException($"A stop on {node} without a start there. Events: {Describe(events)}");
                running = null;
            }
        }
    }

    private static string Describe(IEnumerable<(string Event, Address Node)> events) => string.Join(", ", events.Select(e => $"{e.Event}@{e.Node.HostPort}"));
}

/// <summary>The singleton of the specs: records its life and answers "where" with its node's address.</summary>
internal sealed class RecordedSingleton : ReceiveActor
{
    private readonly InstanceRecorder _recorder;
    private readonly Address _node;

    public RecordedSingleton(InstanceRecorder recorder)
    {
        _recorder = recorder;
        _node = Cluster.Cluster.Get(Context.System).SelfAddress;
        Receive<string>(s => s == "where", _ => Sender?.Tell(_node.ToString(), Self));
    }

    protected override void PreStart() => _recorder.Record("start", _node);
    protected override void PostStop() => _recorder.Record("stop", _node);
}

public sealed class SingletonSpecs(ITestOutputHelper output) : SpecBase(output)
{
    private static readonly ClusterSingletonManagerSettings ManagerSettings = ClusterSingletonManagerSettings.Default with
    {
        HandOverRetryInterval = TimeSpan.FromMilliseconds(200),
        RemovalMargin = TimeSpan.FromSeconds(1),
    };

    private static readonly ClusterSingletonProxySettings ProxySettings = ClusterSingletonProxySettings.Default with
    {
        SingletonIdentificationInterval = TimeSpan.FromMilliseconds(200),
    };

    private readonly InstanceRecorder _recorder = new();

    private void StartManagers(IEnumerable<ClusterNode> nodes)
    {
        var props = Props.Create(() => new RecordedSingleton(_recorder));
        foreach (var n in nodes) n.System.ActorOf(ClusterSingletonManager.Props(props, ManagerSettings), "ring");
    }

    private static Address OldestOf(ClusterNode viewer) =>
        viewer.Cluster.State.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Member.AgeOrdering).First().Address;

    /// <summary>The nodes oldest first, as <paramref name="viewer"/> sees them (all Up).</summary>
    private static List<ClusterNode> ByAge(IReadOnlyList<ClusterNode> nodes, ClusterNode viewer) =>
        nodes.OrderBy(n => viewer.Cluster.State.Members.First(m => m.UniqueAddress == n.UniqueAddress), Member.AgeOrdering).ToList();

    /// <summary>Asks through the proxy until the singleton on <paramref name="expected"/> answers.</summary>
    private static void AwaitAnswerFrom(TestProbe probe, IActorRef proxy, Address expected, TimeSpan timeout)
    {
        Awaiting.AwaitAssert(() =>
        {
            probe.Send(proxy, "where");
            var answer = probe.ExpectMsg<string>(timeout: TimeSpan.FromSeconds(2));
            while (probe.TryReceive(TimeSpan.Zero, out var more) && more is string s) answer = s; // a late answer to an earlier ask
            answer.Should().Be(expected.ToString());
        }, TestKitSettings.Dilated(timeout), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// Fault: none (the oldest leaves gracefully). Invariant: one instance, on the oldest; on leave
    /// it is handed over (stopped on the old oldest before it starts on the new), and a proxy on
    /// another node reaches the new instance.
    /// </summary>
    [Fact]
    public void The_singleton_runs_on_the_oldest_and_is_handed_over_when_the_oldest_leaves()
    {
        var nodes = Harness.StartCluster(3);
        StartManagers(nodes);
        var (oldest, next, proxyNode) = ByAge(nodes, nodes[0]) switch { var l => (l[0], l[1], l[2]) }; // the proxy is on neither
        var proxy = proxyNode.System.ActorOf(ClusterSingletonProxy.Props("/user/ring", ProxySettings), "ring-proxy");
        var probe = new TestProbe(proxyNode.System);

        AwaitAnswerFrom(probe, proxy, oldest.Address, TimeSpan.FromSeconds(15));
        _recorder.Starts.Should().Equal(oldest.Address);

        proxyNode.Cluster.Leave(oldest.Address);
        AwaitAnswerFrom(probe, proxy, next.Address, TimeSpan.FromSeconds(20));
        Awaiting.Completes(oldest.System.WhenTerminated, TestKitSettings.Dilated(TimeSpan.FromSeconds(15)));

        _recorder.AssertAtMostOneAtATime();
        _recorder.Starts.Should().Equal(oldest.Address, next.Address);
        Logs.Entries.Should().Contain(e => e.Message.Contains("for hand-over"), "the old oldest stopped it for the hand-over");
    }

    /// <summary>
    /// Fault: the oldest crashes. Invariant: the next oldest starts the singleton only after the
    /// old one is removed (never two at once), and the proxy on a third node, with messages sent
    /// while no instance was known (buffered), reaches the new instance.
    /// </summary>
    [Fact]
    public void The_singleton_moves_when_the_oldest_crashes_and_the_proxy_follows()
    {
        var nodes = Harness.StartCluster(3);
        StartManagers(nodes);
        var byAge = ByAge(nodes, nodes[0]);
        var (oldest, proxyNode) = (byAge[0], byAge[2]); // the proxy is on neither the old nor the new oldest
        var survivors = byAge.Skip(1).ToList();
        var proxy = proxyNode.System.ActorOf(ClusterSingletonProxy.Props("/user/ring", ProxySettings), "ring-proxy");
        var probe = new TestProbe(proxyNode.System);
        AwaitAnswerFrom(probe, proxy, oldest.Address, TimeSpan.FromSeconds(15));

        var removed = new TestProbe(survivors[0].System);
        survivors[0].Cluster.Subscribe(removed.Ref, typeof(MemberRemoved));
        removed.ExpectMsg<CurrentClusterState>();
        Harness.Crash(oldest);
        removed.FishForMessage<MemberRemoved>(e => e.Member.Address.Equals(oldest.Address), TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
        var next = OldestOf(survivors[0]);
        next.Should().Be(byAge[1].Address);

        AwaitAnswerFrom(probe, proxy, next, TimeSpan.FromSeconds(20));
        _recorder.AssertAtMostOneAtATime();
        _recorder.Starts.Should().Equal(oldest.Address, next);
    }
    /// <summary>
    /// Fault: no singleton yet. Invariant: the proxy keeps at most buffer-size messages, drops the
    /// oldest (logged once per drop, published as Dropped) and forwards the rest, in order and with
    /// their senders, once the singleton exists.
    /// </summary>
    [Fact]
    public void The_proxy_buffers_until_the_singleton_exists_and_drops_the_oldest_when_full()
    {
        var node = Harness.StartCluster(1)[0];
        var proxy = node.System.ActorOf(ClusterSingletonProxy.Props("/user/echo", ProxySettings with { BufferSize = 2 }), "echo-proxy");
        var dropped = new TestProbe(node.System);
        node.System.EventStream.Subscribe(dropped.Ref, typeof(KvActors.Event.Dropped));
        var client = new TestProbe(node.System);
        foreach (var m in new[] { "m1", "m2", "m3" }) client.Send(proxy, m);
        dropped.ExpectMsg<KvActors.Event.Dropped>(d => Equals(d.Message, "m1"));
        Logs.Entries.Should().ContainSingle(e => e.Message.Contains("buffer full"));

        var echo = new TestProbe(node.System);
        node.System.ActorOf(ClusterSingletonManager.Props(Props.Create(() => new Tagger("s", echo.Ref)), ManagerSettings), "echo");
        echo.ExpectMsg("s:m2", TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
        echo.LastSender.Should().Be(client.Ref);
        echo.ExpectMsg("s:m3");
    }
}
