using KvActors.Actor;
using KvActors.Cluster.Tools.PubSub;
using KvActors.TestKit;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>Passes everything it gets to a probe, tagged with its name ("name:message").</summary>
internal sealed class Tagger : ReceiveActor
{
    public Tagger(string name, IActorRef to) => ReceiveAny(m => to.Tell($"{name}:{m}", Sender));
}

/// <summary>Answers every string with "name:message" to the sender.</summary>
internal sealed class Worker : ReceiveActor
{
    public Worker(string name) => Receive<string>(m => Sender?.Tell($"{name}:{m}", Self));
}

public sealed class PubSubSpecs(ITestOutputHelper output) : SpecBase(output, "kvactors.cluster.pub-sub.gossip-interval = 100ms")
{
    private static IActorRef Mediator(ClusterNode n) => DistributedPubSub.Get(n.System).Mediator;

    /// <summary>Waits until the registry on <paramref name="n"/> holds <paramref name="expected"/> live registrations (gossip converged).</summary>
    private static void AwaitCount(ClusterNode n, int expected) =>
        Awaiting.AwaitAssert(() => Awaiting.Result(Mediator(n).Ask<int>(Count.Instance, TimeSpan.FromSeconds(3))).Should().Be(expected),
            TestKitSettings.Dilated(TimeSpan.FromSeconds(15)), TimeSpan.FromMilliseconds(100));

    private static void Subscribe(ClusterNode n, string topic, IActorRef subscriber)
    {
        var p = new TestProbe(n.System);
        p.Send(Mediator(n), new Subscribe(topic, subscriber));
        p.ExpectMsg<SubscribeAck>(a => a.Subscribe.Ref.Equals(subscriber));
    }

    /// <summary>
    /// Fault: none (subscribers come and go). Invariant: a publish reaches every subscriber on
    /// every node exactly once; after an acknowledged Unsubscribe, and after a subscriber stops,
    /// it reaches them no more while still reaching the others.
    /// </summary>
    [Fact]
    public void A_publish_reaches_every_subscriber_on_every_node_once_and_not_after_unsubscribe_or_stop()
    {
        var nodes = Harness.StartCluster(3);
        var (n1, n2, n3) = (nodes[0], nodes[1], nodes[2]);
        foreach (var n in nodes) _ = Mediator(n);
        var probes = nodes.Select(n => new TestProbe(n.System)).ToList();
        var witness2 = new TestProbe(n2.System);
        var witness3 = new TestProbe(n3.System);
        // n2's subscriber is a Tagger (so it can be stopped); the others are the probes themselves.
        var tagger2 = n2.System.ActorOf(Props.Create(() => new Tagger("t2", probes[1].Ref)), "tagger");
        Subscribe(n1, "news", probes[0].Ref);
        Subscribe(n2, "news", tagger2);
        Subscribe(n2, "news", witness2.Ref);
        Subscribe(n3, "news", probes[2].Ref);
        Subscribe(n3, "news", witness3.Ref);
        AwaitCount(n1, 3); // one topic entry per node

        var publisher = new TestProbe(n1.System);
        publisher.Send(Mediator(n1), new Publish("news", "hello-1"));
        probes[0].ExpectMsg("hello-1");
        probes[1].ExpectMsg("t2:hello-1");
        probes[2].ExpectMsg("hello-1");
        witness2.ExpectMsg("hello-1");
        witness3.ExpectMsg("hello-1");
        probes[0].LastSender.Should().Be(publisher.Ref, "the publisher is the sender");
        probes[2].LastSender!.Path.ToStringWithoutAddress().Should().Be(publisher.Ref.Path.ToStringWithoutAddress(), "the publisher is the sender on other nodes too");
        probes[2].LastSender!.Path.Address.Should().Be(n1.Address);
        foreach (var p in probes.Concat([witness2, witness3])) p.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // exactly once

        // Unsubscribe on n3 (acknowledged); the witness on n3 shows when n3 has delivered.
        var unsubscriber = new TestProbe(n3.System);
        unsubscriber.Send(Mediator(n3), new Unsubscribe("news", probes[2].Ref));
        unsubscriber.ExpectMsg<UnsubscribeAck>();
        publisher.Send(Mediator(n1), new Publish("news", "hello-2"));
        probes[0].ExpectMsg("hello-2");
        probes[1].ExpectMsg("t2:hello-2");
        witness2.ExpectMsg("hello-2");
        witness3.ExpectMsg("hello-2");
        probes[2].ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // The subscriber on n2 stops: n2's mediator drops it (n2 keeps the topic for the witness).
        var watcher = new TestProbe(n2.System);
        watcher.Watch(tagger2);
        n2.System.Stop(tagger2);
        watcher.ExpectTerminated(tagger2);
        Awaiting.AwaitAssert(() => Awaiting.Result(Mediator(n2).Ask<int>(new CountSubscribers("news"), TimeSpan.FromSeconds(3))).Should().Be(1),
            TestKitSettings.Dilated(TimeSpan.FromSeconds(10)), TimeSpan.FromMilliseconds(50));
        publisher.Send(Mediator(n1), new Publish("news", "hello-3"));
        probes[0].ExpectMsg("hello-3");
        witness2.ExpectMsg("hello-3");
        witness3.ExpectMsg("hello-3");
        probes[1].ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // When the last subscriber on a node goes, its topic entry is removed everywhere (gossiped tombstone).
        unsubscriber.Send(Mediator(n3), new Unsubscribe("news", witness3.Ref));
        unsubscriber.ExpectMsg<UnsubscribeAck>();
        AwaitCount(n1, 2);
    }

    /// <summary>
    /// Fault: none. Invariant: Send to a path registered with Put on every node reaches exactly
    /// one of them (the local one with local affinity); SendToAll reaches each once; a stopped
    /// registered actor is removed from the registry.
    /// </summary>
    [Fact]
    public void Send_to_a_put_path_reaches_exactly_one_and_send_to_all_reaches_each()
    {
        var nodes = Harness.StartCluster(3);
        var workers = nodes.Select(n => n.System.ActorOf(Props.Create(() => new Worker(n.Name)), "worker")).ToList();
        for (var i = 0; i < nodes.Count; i++) Mediator(nodes[i]).Tell(new Put(workers[i]), null);
        AwaitCount(nodes[0], 3);

        var client = new TestProbe(nodes[0].System);
        for (var i = 0; i < 5; i++)
        {
            client.Send(Mediator(nodes[0]), new Send("/user/worker", $"job{i}"));
            client.ExpectMsg<string>(s => s.EndsWith($":job{i}", StringComparison.Ordinal));
            client.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // exactly one
        }

        client.Send(Mediator(nodes[1]), new Send("/user/worker", "near", LocalAffinity: true));
        client.ExpectMsg($"{nodes[1].Name}:near");

        client.Send(Mediator(nodes[0]), new SendToAll("/user/worker", "all"));
        var answers = new[] { client.ExpectMsg<string>(), client.ExpectMsg<string>(), client.ExpectMsg<string>() };
        answers.Should().BeEquivalentTo(nodes.Select(n => $"{n.Name}:all"));
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // A registered actor that stops leaves the registry on every node.
        nodes[2].System.Stop(workers[2]);
        AwaitCount(nodes[0], 2);
        client.Send(Mediator(nodes[0]), new SendToAll("/user/worker", "rest"));
        new[] { client.ExpectMsg<string>(), client.ExpectMsg<string>() }.Should().BeEquivalentTo(nodes.Take(2).Select(n => $"{n.Name}:rest"));
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
