using Google.Protobuf;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Wire.Ring;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

public sealed class RingWireTests
{
    public static TheoryData<string> Rings() => ["unformed", "first", "learners", "no-primary", "big"];

    private static RingState Sample(string name) => name switch
    {
        "unformed" => RingState.Empty(16, 3),
        "first" => RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3),
        "learners" => RingPlanner.Plan(RingPlanner.Plan(RingState.Empty(64, 3), MembersUpTo(3), 3), MembersUpTo(5), 3),
        "no-primary" => new RingState(9, 2, 2, [Set([], [4, 5]), Set([2, 1], [3])]),
        "big" => RingPlanner.Plan(RingState.Empty(256, 3), MembersUpTo(7), 3).AtEpoch(long.MaxValue / 2),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Rings))]
    public void A_ring_survives_the_round_trip_through_its_wire_form_and_bytes(string name)
    {
        var ring = Sample(name);

        var map = RingWire.ToProto(ring);
        var back = RingWire.FromProto(RingMap.Parser.ParseFrom(map.ToByteArray()));

        back.Should().Be(ring);
        back.Epoch.Should().Be(ring.Epoch);
        for (var p = 0; p < ring.PartitionCount; p++)
            back[p].Primary.Should().Be(ring[p].Primary, "the primary is the first in-sync replica on the wire too");
        map.Nodes.Should().Equal(ring.Nodes.Select(n => n.Value), "each node once, in node order");
    }

    [Fact]
    public void The_node_table_keeps_a_ring_of_256_partitions_small()
    {
        var map = RingWire.ToProto(Sample("big"));
        map.CalculateSize().Should().BeLessThan(3000, "256 partitions x 3 one-byte indexes plus 7 names");
    }

    [Fact]
    public void A_map_that_describes_no_ring_is_refused_with_one_sentence()
    {
        var good = RingWire.ToProto(Sample("first"));

        Refusal(m => m.Partitions[3].InSync.Add(7)).Should().Contain("names node 7, but the node table has 3");
        Refusal(m => m.Partitions.RemoveAt(0)).Should().Contain("lists 15 replica sets");
        Refusal(m => m.PartitionCount = 12).Should().Contain("power of two");
        Refusal(m => m.Partitions[0].Learners.Add(m.Partitions[0].InSync[0])).Should().Contain("names a node twice");
        Refusal(m => m.Nodes[1] = " ").Should().Contain("is empty");
        Refusal(m => m.ReplicationFactor = 0).Should().Contain("replication factor 0");

        string Refusal(Action<RingMap> damage)
        {
            var map = good.Clone();
            damage(map);
            var thrown = FluentActions.Invoking(() => RingWire.FromProto(map)).Should().Throw<FormatException>().Which;
            thrown.Message.Should().NotContain("\n").And.EndWith(".");
            return thrown.Message;
        }
    }
}
