using System.Collections.Immutable;
using KvActors.Actor;
using KvActors.Cluster.Wire;
using KvActors.Remote;

namespace KvActors.Cluster.Tests.Events;

public sealed class WireConverterTests
{
    private static UniqueAddress Node(int port) => new(Address.Tcp("sys", "127.0.0.1", port), port * 7);

    [Fact]
    public void A_gossip_survives_the_wire_unchanged()
    {
        var members = new[]
        {
            new Member(Node(1), MemberStatus.Up, 1, ImmutableSortedSet.Create("a", "b")),
            new Member(Node(2), MemberStatus.Leaving, 2, ImmutableSortedSet<string>.Empty),
            Member.Create(Node(3), ["c"]),
        };
        var gossip = Gossip.Create(members).IncrementVersion(Node(1)).IncrementVersion(Node(2)).Seen(Node(1)).Seen(Node(3));
        gossip = gossip.WithReachability(gossip.Overview.Reachability.Unreachable(Node(1), Node(2)).Unreachable(Node(3), Node(2)).Reachable(Node(3), Node(2)).Unreachable(Node(3), Node(1)));
        gossip = gossip.Update(new Member(Node(4), MemberStatus.Down, 4, ImmutableSortedSet<string>.Empty)).Remove(Node(4), 1234);

        var back = WireConverter.FromWire(WireConverter.ToWire(gossip));

        back.Should().Be(gossip);
        back.Overview.Reachability.VersionOf(Node(3)).Should().Be(gossip.Overview.Reachability.VersionOf(Node(3)));
        back.Tombstones[Node(4)].Should().Be(1234);
    }

    [Fact]
    public void Malformed_gossip_is_a_format_error_naming_the_problem()
    {
        var msg = WireConverter.ToWire(Gossip.Create([Member.Create(Node(1), [])]));
        msg.Members[0].AddressIndex = 9;
        FluentActions.Invoking(() => WireConverter.FromWire(msg)).Should().Throw<FormatException>().WithMessage("*index 9*");
        var badStatus = WireConverter.ToWire(Gossip.Create([Member.Create(Node(1), [])]));
        badStatus.Members[0].Status = 42;
        FluentActions.Invoking(() => WireConverter.FromWire(badStatus)).Should().Throw<FormatException>().WithMessage("*status 42*");
        FluentActions.Invoking(() => WireConverter.FromWire(new UniqueAddressMsg { Address = "garbage", Uid = 1 })).Should().Throw<FormatException>();
    }
}
