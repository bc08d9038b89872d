using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Google.Protobuf;
using KvActors.Client;
using KvActors.Store.Wire.Store;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Client;

/// <summary>KvClient's RequestCourier on a local actor system, with probes as the nodes' shard hosts.</summary>
public sealed class RequestCourierTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString(KvActors.TestKit.TestKitSettings.AkkaTestConfig), "courier", output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private readonly ConcurrentQueue<long> _answered = new();

    private IActorRef StartCourier() =>
        Sys.ActorOf(RequestCourier.Props(replies =>
        {
            foreach (var reply in replies) _answered.Enqueue(reply.RequestId);
        }, 1 << 20, new CourierCounters()));

    private static KvRequest Put(long id) =>
        new() { Put = new PutRequest { ClientId = "c", RequestId = id, Key = ByteString.CopyFromUtf8($"k{id}"), Value = ByteString.CopyFromUtf8("v") } };

    private static KvReplyBatch Answers(params long[] ids) =>
        new() { Replies = { ids.Select(id => new KvReply { ClientId = "c", RequestId = id, WriteDone = new WriteDone { Seq = id } }) } };

    private static IEnumerable<long> Ids(KvRequestBatch batch) => batch.Requests.Select(r => r.Put.RequestId);

    /// <summary>
    /// Fault: none. Invariant: a request to an idle node goes out at once; while it is in flight, later requests for that
    /// node are held and leave together with the next answer from it; an answer reaches the client's callback.
    /// </summary>
    [Fact]
    public void Requests_for_a_busy_node_ride_together_with_the_next_answer()
    {
        var node = CreateTestProbe();
        var courier = StartCourier();

        courier.Tell(new RequestCourier.Carry(node, Put(1)));
        Ids(node.ExpectMsg<KvRequestBatch>()).Should().Equal(1);

        courier.Tell(new RequestCourier.Carry(node, Put(2)));
        courier.Tell(new RequestCourier.Carry(node, Put(3)));
        node.ExpectNoMsg(Quiet);

        courier.Tell(Answers(1), node);
        Ids(node.ExpectMsg<KvRequestBatch>()).Should().Equal(2, 3);
        AwaitAssert(() => _answered.Should().Equal(1));
    }

    /// <summary>
    /// Fault: a node that never answers. Invariant: once the caller gives up on the request in flight (Forget), the held
    /// requests go out; another node's requests are never held by it.
    /// </summary>
    [Fact]
    public void A_request_given_up_releases_what_waits_behind_it_and_other_nodes_are_not_held()
    {
        var silent = CreateTestProbe();
        var other = CreateTestProbe();
        var courier = StartCourier();

        courier.Tell(new RequestCourier.Carry(silent, Put(1)));
        silent.ExpectMsg<KvRequestBatch>();
        courier.Tell(new RequestCourier.Carry(silent, Put(2)));
        courier.Tell(new RequestCourier.Carry(other, Put(3)));
        Ids(other.ExpectMsg<KvRequestBatch>()).Should().Equal(3);
        silent.ExpectNoMsg(Quiet);

        courier.Tell(new RequestCourier.Forget(1));

        Ids(silent.ExpectMsg<KvRequestBatch>()).Should().Equal(2);
    }
}
