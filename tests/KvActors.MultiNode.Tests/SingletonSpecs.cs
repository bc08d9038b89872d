using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.TestKit;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.MultiNode.Tests;

/// <summary>
/// Every start and stop of a singleton instance, in one global order (all nodes share this
/// process), with the node it ran on and, for a start, the members that node saw then.
/// "At most one instance at any time" is: starts and stops alternate, each stop on the node of
/// the start before it.
/// </summary>
internal sealed class InstanceRecorder
{
    internal sealed record Entry(bool IsStart, Address Node, IReadOnlyList<UniqueAddress> MembersSeen);

    private readonly List<Entry> _entries = [];

    public void Record(bool isStart, Address node, IReadOnlyList<UniqueAddress> membersSeen)
    {
        lock (_entries) _entries.Add(new Entry(isStart, node, membersSeen));
    }

    public IReadOnlyList<Entry> Entries { get { lock (_entries) return [.. _entries]; } }

    public IReadOnlyList<Address> Starts => Entries.Where(e => e.IsStart).Select(e => e.Node).ToList();

    public void AssertAtMostOneAtATime()
    {
        var entries = Entries;
        Address? running = null;
        foreach (var e in entries)
        {
            if (e.IsStart)
            {
                if (running is not null)
                    throw new XunitException($"Two singleton instances at once: one started on {e.Node} while the one on {running} still ran. {Describe(entries)}");
                running = e.Node;
            }
            else
            {
                if (!e.Node.Equals(running)) throw new XunitException($"A stop on {e.Node} that no start there precedes. {Describe(entries)}");
                running = null;
            }
        }
    }

    private static string Describe(IEnumerable<Entry> entries) =>
        "Events: " + string.Join(", ", entries.Select(e => $"{(e.IsStart ? "start" : "stop")}@{e.Node.HostPort()}"));
}

/// <summary>
/// The singleton of these specs: records its life, and answers every string it gets with
/// "host:port|message" (its node and the message) to the sender. Strings only cross the wire.
/// </summary>
internal sealed class RecordedSingleton : ReceiveActor
{
    private readonly InstanceRecorder _recorder;
    private readonly Cluster _cluster = Cluster.Get(Context.System);

    public RecordedSingleton(InstanceRecorder recorder)
    {
        _recorder = recorder;
        var self = _cluster.SelfAddress.HostPort();
        Receive<string>(m => Sender.Tell($"{self}|{m}"));
    }

    protected override void PreStart() =>
        _recorder.Record(true, _cluster.SelfAddress, _cluster.State.Members.Select(m => m.UniqueAddress).ToList());

    protected override void PostStop() => _recorder.Record(false, _cluster.SelfAddress, []);
}

/// <summary>Akka.Cluster.Tools' ClusterSingletonManager and ClusterSingletonProxy, as the RingManager uses them.</summary>
public sealed class SingletonSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private const string ManagerName = "ring";
    private readonly InstanceRecorder _recorder = new();
    private int _asks;

    private void StartManager(ClusterNode node) =>
        node.System.ActorOf(ClusterSingletonManager.Props(
            Props.Create(() => new RecordedSingleton(_recorder)), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(node.System)), ManagerName);

    private static IActorRef StartProxy(ClusterNode node, int bufferSize = 1000) =>
        node.System.ActorOf(ClusterSingletonProxy.Props($"/user/{ManagerName}", ClusterSingletonProxySettings.Create(node.System).WithBufferSize(bufferSize)), "ring-proxy");

    /// <summary>The nodes oldest first, as <paramref name="viewer"/> sees them.</summary>
    private static List<ClusterNode> ByAge(IReadOnlyList<ClusterNode> nodes, ClusterNode viewer) =>
        nodes.OrderBy(n => viewer.Members.First(m => m.UniqueAddress.Equals(n.UniqueAddress)), Member.AgeOrdering).ToList();

    /// <summary>Asks through the proxy (a fresh question each time) until the instance on <paramref name="expected"/> answers.</summary>
    private void AwaitAnswerFrom(TestProbe probe, IActorRef proxy, ClusterNode expected)
    {
        AwaitAssert(() =>
        {
            var question = $"where-{Interlocked.Increment(ref _asks)}";
            probe.Send(proxy, question);
            var answer = probe.FishForMessage<string>(s => s.EndsWith($"|{question}", StringComparison.Ordinal), TimeSpan.FromSeconds(2));
            answer.Should().Be($"{expected.Address.HostPort()}|{question}");
        }, ClusterHarness.ConvergeTimeout, TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// Fault: none (the oldest leaves gracefully). Invariant: one instance, on the oldest; when the
    /// oldest leaves it is handed over (stopped on the old oldest before it starts on the next
    /// oldest, never two at once), the leaver stops, and a proxy on a third node reaches the new
    /// instance.
    /// </summary>
    [Fact]
    public void The_singleton_runs_on_the_oldest_and_is_handed_over_when_the_oldest_leaves()
    {
        var nodes = Harness.StartCluster(3);
        foreach (var n in nodes) StartManager(n);
        var byAge = ByAge(nodes, nodes[0]);
        var (oldest, next, proxyNode) = (byAge[0], byAge[1], byAge[2]);
        var proxy = StartProxy(proxyNode);
        var probe = CreateTestProbe(proxyNode);

        AwaitAnswerFrom(probe, proxy, oldest);
        _recorder.Starts.Should().Equal(oldest.Address);

        oldest.Cluster.Leave(oldest.Address);

        AwaitAnswerFrom(probe, proxy, next);
        Harness.AwaitTerminated(oldest);
        Harness.AwaitMembersUp(2, [next, proxyNode]);
        _recorder.AssertAtMostOneAtATime();
        _recorder.Starts.Should().Equal(oldest.Address, next.Address);
    }

    /// <summary>
    /// Fault: the oldest crashes. Invariant: the next oldest starts the singleton only once the
    /// crashed node has been removed from its view (never two at once); a proxy on the third node
    /// buffers what it is sent while the singleton is moving (after the old one is gone from its
    /// view) and delivers all of it to the new instance, in order, with the original sender.
    /// </summary>
    [Fact]
    public async Task The_singleton_moves_when_the_oldest_crashes_and_the_proxy_buffers_meanwhile()
    {
        var nodes = Harness.StartCluster(3);
        foreach (var n in nodes) StartManager(n);
        var byAge = ByAge(nodes, nodes[0]);
        var (oldest, next, proxyNode) = (byAge[0], byAge[1], byAge[2]);
        var proxy = StartProxy(proxyNode);
        var probe = CreateTestProbe(proxyNode);
        AwaitAnswerFrom(probe, proxy, oldest);

        await Harness.CrashAsync(oldest);
        // Once the proxy's node has published the removal, the proxy has it queued before these
        // messages: it no longer forwards to the dead instance but buffers until it finds the new one.
        Harness.AwaitPublished(proxyNode, s => s.Members.All(m => !m.UniqueAddress.Equals(oldest.UniqueAddress)), "the crashed oldest is removed");
        var sent = Enumerable.Range(1, 5).Select(i => $"moving-{i}").ToList();
        foreach (var m in sent) probe.Send(proxy, m);

        foreach (var m in sent)
        {
            probe.ExpectMsg($"{next.Address.HostPort()}|{m}", ClusterHarness.ConvergeTimeout);
            probe.LastSender.Path.Address.Should().Be(next.Address, "the new instance answered");
        }
        _recorder.AssertAtMostOneAtATime();
        _recorder.Starts.Should().Equal(oldest.Address, next.Address);
        _recorder.Entries.Last(e => e.IsStart).MembersSeen.Should().NotContain(oldest.UniqueAddress,
            "the new instance starts only after the crashed oldest is removed");
    }

    /// <summary>
    /// Fault: no singleton exists yet. Invariant: the proxy keeps what it is sent (up to its
    /// buffer size, dropping the oldest beyond it) and, once the singleton starts on another
    /// node, delivers the kept messages in order with their original sender; nothing is
    /// delivered twice.
    /// </summary>
    [Fact]
    public void The_proxy_buffers_until_the_singleton_exists_and_drops_the_oldest_when_full()
    {
        var nodes = Harness.StartCluster(2);
        var (oldest, younger) = (ByAge(nodes, nodes[0])[0], ByAge(nodes, nodes[0])[1]);
        var proxy = StartProxy(younger, bufferSize: 3);
        var probe = CreateTestProbe(younger);
        foreach (var m in new[] { "m1", "m2", "m3", "m4" }) probe.Send(proxy, m);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        _recorder.Entries.Should().BeEmpty("no singleton exists yet");

        foreach (var n in nodes) StartManager(n);

        var at = oldest.Address.HostPort();
        probe.ExpectMsg($"{at}|m2", ClusterHarness.ConvergeTimeout);
        probe.ExpectMsg($"{at}|m3");
        probe.ExpectMsg($"{at}|m4");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        _recorder.Starts.Should().Equal(oldest.Address);
    }
}
