using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.PublishSubscribe.Internal;
using Akka.TestKit;
using KvActors.TestKit.MultiNode;
using Xunit.Abstractions;

namespace KvActors.MultiNode.Tests;

/// <summary>Passes every string it gets to <c>to</c>, tagged "name:message", keeping the sender.</summary>
internal sealed class Tagger : ReceiveActor
{
    public Tagger(string name, IActorRef to) => Receive<string>(m => to.Tell($"{name}:{m}", Sender));
}

/// <summary>Answers every string with "name:message" to the sender.</summary>
internal sealed class Worker : ReceiveActor
{
    public Worker(string name) => Receive<string>(m => Sender.Tell($"{name}:{m}"));
}

/// <summary>Akka.Cluster.Tools' DistributedPubSub mediator across nodes.</summary>
public sealed class PubSubSpecs(ITestOutputHelper output) : ClusterSpec(output)
{
    private int _syncs;

    private static IActorRef Mediator(ClusterNode n) => DistributedPubSub.Get(n.System).Mediator;

    private void Subscribe(ClusterNode n, string topic, IActorRef subscriber)
    {
        var p = CreateTestProbe(n);
        p.Send(Mediator(n), new Subscribe(topic, subscriber));
        p.ExpectMsg<SubscribeAck>(a => a.Subscribe.Ref.Equals(subscriber));
    }

    /// <summary>
    /// Waits until the registries have gossiped: <paramref name="send"/> sends a fresh marker until
    /// every receiver gets it (each with its own expected form). Markers from earlier rounds that
    /// arrive late come before the last round's (one path per pair of actors keeps order) and are
    /// skipped here, so the receivers are left with no marker pending.
    /// </summary>
    private void AwaitRegistry(Action<string> send, IReadOnlyList<(TestProbe Probe, Func<string, string> Expected)> receivers)
    {
        AwaitAssert(() =>
        {
            var marker = $"sync-{Interlocked.Increment(ref _syncs)}";
            send(marker);
            foreach (var (probe, expected) in receivers)
                probe.FishForMessage<string>(s => s == expected(marker), TimeSpan.FromSeconds(1));
        }, ClusterHarness.ConvergeTimeout, TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// Fault: none (subscribers come and go). Invariant: a Publish reaches every subscriber on
    /// every node exactly once, with the publisher as the sender; after an acknowledged
    /// Unsubscribe, and after a subscriber stops (its node's mediator drops it), it reaches them no
    /// more while still reaching the others.
    /// </summary>
    [Fact]
    public void A_publish_reaches_every_subscriber_on_every_node_once_and_not_after_unsubscribe_or_stop()
    {
        var nodes = Harness.StartCluster(3);
        var (n1, n2, n3) = (nodes[0], nodes[1], nodes[2]);
        var (s1, s2, s3) = (CreateTestProbe(n1), CreateTestProbe(n2), CreateTestProbe(n3));
        var (witness2, witness3) = (CreateTestProbe(n2), CreateTestProbe(n3));
        // n2's first subscriber is a Tagger in front of s2, so that it can be stopped.
        var tagger2 = n2.System.ActorOf(Props.Create(() => new Tagger("t2", s2.Ref)), "tagger");
        Subscribe(n1, "news", s1.Ref);
        Subscribe(n2, "news", tagger2);
        Subscribe(n2, "news", witness2.Ref);
        Subscribe(n3, "news", s3.Ref);
        Subscribe(n3, "news", witness3.Ref);
        var publisher = CreateTestProbe(n1);
        AwaitRegistry(m => publisher.Send(Mediator(n1), new Publish("news", m)),
            [(s1, m => m), (s2, m => $"t2:{m}"), (s3, m => m), (witness2, m => m), (witness3, m => m)]);

        publisher.Send(Mediator(n1), new Publish("news", "hello-1"));
        s1.ExpectMsg("hello-1");
        s1.LastSender.Should().Be(publisher.Ref, "the publisher is the sender");
        s2.ExpectMsg("t2:hello-1");
        s3.ExpectMsg("hello-1");
        s3.LastSender.Path.ToStringWithoutAddress().Should().Be(publisher.Ref.Path.ToStringWithoutAddress(), "the publisher is the sender on other nodes too");
        s3.LastSender.Path.Address.Should().Be(n1.Address);
        witness2.ExpectMsg("hello-1");
        witness3.ExpectMsg("hello-1");
        foreach (var p in new[] { s1, s2, s3, witness2, witness3 }) p.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // exactly once

        // Unsubscribe on n3 (acknowledged): n3 no longer delivers to s3; the witness on n3 shows that n3 delivered.
        var unsubscriber = CreateTestProbe(n3);
        unsubscriber.Send(Mediator(n3), new Unsubscribe("news", s3.Ref));
        unsubscriber.ExpectMsg<UnsubscribeAck>();
        publisher.Send(Mediator(n1), new Publish("news", "hello-2"));
        s1.ExpectMsg("hello-2");
        s2.ExpectMsg("t2:hello-2");
        witness2.ExpectMsg("hello-2");
        witness3.ExpectMsg("hello-2");
        s3.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // The Tagger on n2 stops: n2's mediator (its topic actor watches subscribers) drops it; n2 keeps the witness.
        var watcher = CreateTestProbe(n2);
        watcher.Watch(tagger2);
        n2.System.Stop(tagger2);
        watcher.ExpectTerminated(tagger2);
        AwaitAssert(() =>
        {
            var asker = CreateTestProbe(n2);
            asker.Send(Mediator(n2), new CountSubscribers("news"));
            asker.ExpectMsg<int>().Should().Be(1, "only the witness is left on n2");
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        publisher.Send(Mediator(n1), new Publish("news", "hello-3"));
        s1.ExpectMsg("hello-3");
        witness2.ExpectMsg("hello-3");
        witness3.ExpectMsg("hello-3");
        s2.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>
    /// Fault: none. Invariant: Send to a path registered with Put on every node reaches exactly one
    /// of them (the local one with local affinity); SendToAll reaches each once; a registered actor
    /// that stops leaves the registry everywhere, after which Send never picks it (no message is
    /// lost) and SendToAll reaches the others once.
    /// </summary>
    [Fact]
    public void Send_to_a_put_path_reaches_exactly_one_and_send_to_all_reaches_each()
    {
        var nodes = Harness.StartCluster(3);
        var workers = nodes.Select(n => n.System.ActorOf(Props.Create(() => new Worker(n.Name)), "worker")).ToList();
        var registrar = CreateTestProbe(nodes[0]);
        for (var i = 0; i < nodes.Count; i++) Mediator(nodes[i]).Tell(new Put(workers[i]), registrar.Ref);
        var client = CreateTestProbe(nodes[0]);
        AwaitRegistry(m => client.Send(Mediator(nodes[0]), new SendToAll("/user/worker", m)),
            nodes.Select(n => (client, (Func<string, string>)(m => $"{n.Name}:{m}"))).ToList());
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        for (var i = 0; i < 6; i++)
        {
            client.Send(Mediator(nodes[0]), new Send("/user/worker", $"job{i}"));
            client.ExpectMsg<string>(s => s.EndsWith($":job{i}", StringComparison.Ordinal));
            client.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // exactly one
        }

        var near = CreateTestProbe(nodes[1]);
        near.Send(Mediator(nodes[1]), new Send("/user/worker", "near", localAffinity: true));
        near.ExpectMsg($"{nodes[1].Name}:near");

        client.Send(Mediator(nodes[0]), new SendToAll("/user/worker", "all"));
        client.ExpectMsgAllOf(nodes.Select(n => $"{n.Name}:all").ToArray());
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // The worker on n3 stops: n3's mediator removes it and gossips the removal. Until n1 has it,
        // a Send from n1 may still pick the dead one (1 in 3); once it has it, every Send is answered.
        nodes[2].System.Stop(workers[2]);
        AwaitAssert(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                var job = $"after-{Interlocked.Increment(ref _syncs)}";
                client.Send(Mediator(nodes[0]), new Send("/user/worker", job));
                client.FishForMessage<string>(s => s.EndsWith($":{job}", StringComparison.Ordinal), TimeSpan.FromSeconds(1))
                    .Should().NotStartWith($"{nodes[2].Name}:");
            }
        }, ClusterHarness.ConvergeTimeout, TimeSpan.FromMilliseconds(100));
        client.Send(Mediator(nodes[0]), new SendToAll("/user/worker", "rest"));
        client.ExpectMsgAllOf(nodes.Take(2).Select(n => $"{n.Name}:rest").ToArray());
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
