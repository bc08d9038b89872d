using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using KvActors.Node.Admin;
using KvActors.Store.Configuration;
using KvActors.Store.Wire;
using KvActors.Store.Wire.Admin;

namespace KvActors.Store.Tests.Wire;

/// <summary>An actor system configured as a node's (reference.conf: cluster provider, our serializer bindings).</summary>
public sealed class NodeLikeSystem : IDisposable
{
    public NodeLikeSystem() =>
        System = ActorSystem.Create("wire", ConfigurationFactory.ParseString("""
            akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
            akka.remote.dot-netty.tcp.port = 0
            akka.loglevel = WARNING
            """).WithFallback(KvConfig.Reference));

    public ActorSystem System { get; }

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(30));
}

/// <summary>
/// Our messages never travel as Akka's silent Newtonsoft JSON fallback: every type that can cross
/// the wire must get <see cref="KvWireSerializer"/> from Akka's own lookup, and survive a round trip.
/// </summary>
public sealed class WireSerializerTests(NodeLikeSystem node) : IClassFixture<NodeLikeSystem>
{
    /// <summary>
    /// Types our actors receive that never leave the process, each with the reason. Anything else an
    /// actor of ours receives must be bound to our serializer.
    /// </summary>
    /// <remarks>Keyed by full name, so that a private or internal message type (a timer tick) can be listed too.</remarks>
    private static readonly Dictionary<string, string> LocalOnly = new()
    {
        [typeof(ClusterEventView).FullName!] = "TailStreamer gets it from its own node's cluster subscription (a Tell within the process); kv receives it as ClusterEventMessage",
        ["KvActors.Store.Ring.RingManager+Tick"] = "the RingManager's periodic timer message to itself (Timers.StartPeriodicTimer)",
        ["KvActors.Store.Ring.RingApplied"] = "published by the RingKeeper on its own node's EventStream, received by that node's ShardHost",
        ["KvActors.Store.Ring.ActingManager"] = "published by the RingKeeper on its own node's EventStream, received by that node's ManagerRoute",
        ["KvActors.Store.Ring.RingDeputy+SuspicionOver"] = "the RingDeputy's timer message to itself when a suspicion of the host lapses",
        ["KvActors.Store.Shards.ShardRing"] = "ShardHost -> its child ShardActors",
        ["KvActors.Store.Shards.InboundReplication"] = "ShardHost -> its child ShardActors (unpacked from a ReplicationBatch, which is protobuf)",
        ["KvActors.Store.Shards.OutboundReplication"] = "ShardActor -> its own node's ReplicatorActor (which sends ReplicationBatch, protobuf)",
        ["KvActors.Store.Shards.ShardActor+Tick"] = "the ShardActor's periodic timer message to itself",
        ["KvActors.Store.Shards.ShardActor+Loaded"] = "the storage engine's load result, piped to the ShardActor itself",
        ["KvActors.Store.Replication.LogRead"] = "a read of the log on disk for a returning replica, piped to the ShardActor itself",
        ["KvActors.Store.Shards.BatchReceived"] = "ShardHost -> its own node's ReplicatorActor (which acknowledges the batch on a ReplicationBatch or a ReplicationBatchAck, protobuf)",
        ["KvActors.Store.Shards.ReplicatorActor+Flush"] = "the ReplicatorActor's flush message to itself",
        ["KvActors.Store.Shards.ReplicatorActor+CheckAcks"] = "the ReplicatorActor's periodic timer message to itself",
        ["KvActors.Store.Shards.GetPartitionStats"] = "a ShardHost's StatsGatherer (its child) -> that host's ShardActors",
        ["KvActors.Store.Shards.PartitionStats"] = "a ShardActor -> its host's StatsGatherer, which answers the remote asker with StoreStatsReply or PartitionStatsReply (protobuf)",
        ["KvActors.Store.Shards.StatsGatherer+Deadline"] = "the StatsGatherer's timer message to itself",
        ["KvActors.Store.Shards.ShardReportNoted"] = "a ShardActor -> its own node's EventStream -> that node's ShardReportLog and RingDeputy",
        ["KvActors.Store.Shards.ShardReportLog+Flush"] = "the ShardReportLog's timer message to itself",
        ["KvActors.Store.Shards.ShardHost+FlushReplies"] = "the ShardHost's message to itself to send the batched answers gathered so far",
        ["KvActors.Store.Shards.ShardHost+ForgetStaleRequests"] = "the ShardHost's periodic timer message to itself",
        ["KvActors.Store.Shards.ShardHost+DropExpiredPartitions"] = "the ShardHost's periodic timer message to itself",
        ["KvActors.Client.RequestCourier+Carry"] = "KvClient -> its own RequestCourier (which sends KvRequestBatch, protobuf)",
        ["KvActors.Client.RequestCourier+Flush"] = "the RequestCourier's flush message to itself",
        ["KvActors.Client.RequestCourier+Forget"] = "KvClient -> its own RequestCourier: a request given up",
        ["KvActors.Client.RingFollower+Follow"] = "KvClient -> its own RingFollower (which sends SubscribeRing, protobuf)",
        ["KvActors.Client.RingFollower+Stop"] = "KvClient -> its own RingFollower on dispose",
    };

    private Serialization Serialization => node.System.Serialization;

    [Fact]
    public void The_walk_covers_our_production_assemblies()
    {
        WireTypes.OurAssemblies().Select(a => a.GetName().Name)
            .Should().Contain(["KvActors.Storage", "KvActors.Store", "KvActors.Client", "kvnode"])
            .And.NotContain(n => n!.EndsWith(".Tests") || n == "KvActors.TestKit");
        WireTypes.ProtobufMessages(WireTypes.OurAssemblies()).Should().Contain([typeof(AdminPing), typeof(ClusterShowResponse), typeof(ClusterEventMessage)]);
        WireTypes.ActorMessages(WireTypes.OurAssemblies()).Keys.Should().Contain([typeof(AdminPing), typeof(ClusterLeaveRequest), typeof(AdminResult), typeof(ClusterEventView)],
            "the IL walk finds what AdminActor, TailSubscriber and TailStreamer receive");
    }

    [Fact]
    public void Every_type_that_can_cross_the_wire_gets_our_serializer_not_the_JSON_fallback()
    {
        var assemblies = WireTypes.OurAssemblies();
        var crossing = WireTypes.ProtobufMessages(assemblies)
            .Concat(WireTypes.ActorMessages(assemblies).Keys.Where(t => !LocalOnly.ContainsKey(t.FullName!)))
            .Distinct()
            .ToList();

        crossing.Should().NotBeEmpty();
        Unbound(crossing).Should().BeEmpty("every wire type must be a protobuf message bound to KvWireSerializer in reference.conf " +
            "(or, if it truly never leaves the process, be listed in LocalOnly with the reason)");
    }

    [Fact]
    public void The_check_would_catch_a_record_sent_as_an_actor_message()
    {
        Unbound([typeof(UnboundRecord)]).Should().ContainSingle()
            .Which.Should().Contain(nameof(UnboundRecord)).And.ContainEquivalentOf("newtonsoft", "Akka's fallback for an unbound type is JSON");
    }

    /// <summary>"Type -> serializer" for each type whose serializer is not ours.</summary>
    private List<string> Unbound(IEnumerable<Type> types) =>
        types.Select(t => (Type: t, Serializer: Serialization.FindSerializerFor(WireTypes.InstanceOf(t))))
            .Where(x => x.Serializer is not KvWireSerializer)
            .Select(x => $"{x.Type.FullName} -> {x.Serializer.GetType().Name}")
            .ToList();

    [Fact]
    public void Our_serializer_is_bound_under_its_fixed_identifier()
    {
        Serialization.FindSerializerForType(typeof(IMessage)).Should().BeOfType<KvWireSerializer>()
            .Which.Identifier.Should().Be(KvWireSerializer.SerializerId, "the id is on the wire: it must not change");
    }

    public static TheoryData<string> ProtobufMessageNames() =>
        [.. WireTypes.ProtobufMessages(WireTypes.OurAssemblies()).Select(t => t.AssemblyQualifiedName!)];

    [Theory]
    [MemberData(nameof(ProtobufMessageNames))]
    public void Every_message_round_trips_with_its_protobuf_full_name_as_the_manifest(string typeName)
    {
        var descriptor = (MessageDescriptor)Type.GetType(typeName, throwOnError: true)!.GetProperty("Descriptor")!.GetValue(null)!;
        var message = ProtoSamples.Filled(descriptor);
        if (descriptor.Fields.InDeclarationOrder().Count > 0)
            message.Should().NotBe(Activator.CreateInstance(descriptor.ClrType), "the sample sets its fields");

        var serializer = Serialization.FindSerializerFor(message).Should().BeOfType<KvWireSerializer>().Subject;
        var manifest = serializer.Manifest(message);
        var bytes = serializer.ToBinary(message);
        var back = Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        manifest.Should().Be(descriptor.FullName, "the wire names protobuf messages, never .NET types");
        back.Should().BeOfType(descriptor.ClrType).And.Be(message);
    }

    [Fact]
    public void An_unknown_manifest_is_a_clear_SerializationException()
    {
        var serializer = (KvWireSerializer)Serialization.FindSerializerForType(typeof(AdminPing));

        var thrown = serializer.Invoking(s => s.FromBinary([1, 2, 3], "kvactors.future.Message")).Should().Throw<SerializationException>().Which;

        thrown.Message.Should().Be("Unknown wire message 'kvactors.future.Message' (is the peer a different version?).");
        // The same through Akka's lookup by identifier, as Akka.Remote does for an arriving message.
        Serialization.Invoking(s => s.Deserialize([1, 2, 3], KvWireSerializer.SerializerId, "kvactors.future.Message"))
            .Should().Throw<SerializationException>().WithMessage("*Unknown wire message 'kvactors.future.Message'*");
    }

    [Fact]
    public void Only_protobuf_messages_are_accepted()
    {
        var serializer = (KvWireSerializer)Serialization.FindSerializerForType(typeof(AdminPing));

        serializer.Invoking(s => s.ToBinary("text")).Should().Throw<ArgumentException>().WithMessage("*protobuf messages only*");
        serializer.Invoking(s => s.Manifest(new UnboundRecord(1))).Should().Throw<ArgumentException>();
    }

    private sealed record UnboundRecord(int Value);
}
