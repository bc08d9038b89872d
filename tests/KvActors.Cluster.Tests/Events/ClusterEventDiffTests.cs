using System.Collections.Immutable;
using KvActors.Actor;
using KvActors.Remote;

namespace KvActors.Cluster.Tests.Events;

public sealed class ClusterEventDiffTests
{
    private static UniqueAddress Node(int port) => new(Address.Tcp("sys", "127.0.0.1", port), port);

    private static Member M(int port, MemberStatus status, int upNumber = 1) =>
        new(Node(port), status, upNumber, ImmutableSortedSet<string>.Empty);

    private static Gossip G(params Member[] members) => Gossip.Create(members);

    [Fact]
    public void Each_status_change_becomes_its_member_event()
    {
        var before = G(M(1, MemberStatus.Up), M(2, MemberStatus.Joining), M(3, MemberStatus.Up), M(4, MemberStatus.Leaving));
        var after = G(M(1, MemberStatus.Up), M(2, MemberStatus.Up, 2), M(3, MemberStatus.Down), M(4, MemberStatus.Exiting), M(5, MemberStatus.Joining));
        var events = ClusterEventDiff.Diff(before, after, Node(1));
        events.Should().ContainSingle(e => e is MemberUp && ((MemberUp)e).Member.UniqueAddress == Node(2));
        events.Should().ContainSingle(e => e is MemberDowned && ((MemberDowned)e).Member.UniqueAddress == Node(3));
        events.Should().ContainSingle(e => e is MemberExited && ((MemberExited)e).Member.UniqueAddress == Node(4));
        events.Should().ContainSingle(e => e is MemberJoined && ((MemberJoined)e).Member.UniqueAddress == Node(5));
        events.OfType<MemberEvent>().Should().HaveCount(4, "member 1 did not change");
    }

    [Fact]
    public void A_member_gone_from_the_gossip_is_removed_with_its_previous_status()
    {
        var before = G(M(1, MemberStatus.Up), M(2, MemberStatus.Exiting));
        var after = before.Remove(Node(2), nowMs: 10);
        var removed = ClusterEventDiff.Diff(before, after, Node(1)).OfType<MemberRemoved>().Single();
        removed.Member.Status.Should().Be(MemberStatus.Removed);
        removed.PreviousStatus.Should().Be(MemberStatus.Exiting);
    }

    [Fact]
    public void Reachability_changes_become_unreachable_and_reachable_events_and_the_leader_change_is_reported()
    {
        var up = G(M(1, MemberStatus.Up), M(2, MemberStatus.Up, 2), M(3, MemberStatus.Up, 3));
        var cut = up.WithReachability(up.Overview.Reachability.Unreachable(Node(2), Node(1)));
        var toCut = ClusterEventDiff.Diff(up, cut, Node(2));
        toCut.OfType<UnreachableMember>().Single().Member.UniqueAddress.Should().Be(Node(1));
        toCut.OfType<LeaderChanged>().Single().Leader.Should().Be(Node(2).Address, "the first reachable Up member leads");

        var healed = cut.WithReachability(cut.Overview.Reachability.Reachable(Node(2), Node(1)));
        var back = ClusterEventDiff.Diff(cut, healed, Node(2));
        back.OfType<ReachableMember>().Single().Member.UniqueAddress.Should().Be(Node(1));
        back.OfType<LeaderChanged>().Single().Leader.Should().Be(Node(1).Address);
    }

    [Fact]
    public void The_snapshot_names_members_unreachable_seen_and_leader()
    {
        var gossip = G(M(1, MemberStatus.Up), M(2, MemberStatus.Up, 2)).Seen(Node(1));
        gossip = gossip.WithReachability(gossip.Overview.Reachability.Unreachable(Node(1), Node(2)));
        var state = ClusterEventDiff.StateOf(gossip, Node(1));
        state.Members.Should().HaveCount(2);
        state.Unreachable.Single().UniqueAddress.Should().Be(Node(2));
        state.SeenBy.Should().BeEquivalentTo([Node(1).Address]);
        state.Leader.Should().Be(Node(1).Address);
    }

    [Fact]
    public void Downing_an_unreachable_member_does_not_report_it_reachable()
    {
        var up = G(M(1, MemberStatus.Up), M(2, MemberStatus.Up, 2));
        var cut = up.WithReachability(up.Overview.Reachability.Unreachable(Node(1), Node(2)));
        var downed = cut.Update(M(2, MemberStatus.Down, 2));
        var events = ClusterEventDiff.Diff(cut, downed, Node(1));
        events.OfType<MemberDowned>().Should().ContainSingle();
        events.OfType<ReachableMember>().Should().BeEmpty();
    }
}
