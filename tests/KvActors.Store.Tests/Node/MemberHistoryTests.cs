using KvActors.Node.Admin;

namespace KvActors.Store.Tests.Node;

/// <summary>What the admin actor adds to Akka's cluster state for `kv cluster show`: unreachable since when, removed lately.</summary>
public sealed class MemberHistoryTests
{
    private const string A = "127.0.0.1:4053", B = "127.0.0.1:4054", C = "127.0.0.1:4055";
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static ClusterEventView At(int seconds, string kind, string address, string? detail = null) =>
        new(T0.AddSeconds(seconds), kind, address, detail);

    [Fact]
    public void A_member_is_unreachable_since_the_first_event_until_it_is_reachable_again()
    {
        var history = new MemberHistory(TimeSpan.FromMinutes(10));
        history.Apply(At(0, "Unreachable", C));
        history.Apply(At(3, "Unreachable", C)); // seen again by another observer: still since 0

        history.UnreachableFor(C, T0.AddSeconds(12)).Should().Be(TimeSpan.FromSeconds(12));
        history.UnreachableFor(B, T0.AddSeconds(12)).Should().BeNull();

        history.Apply(At(20, "Reachable", C));
        history.UnreachableFor(C, T0.AddSeconds(21)).Should().BeNull();
    }

    [Fact]
    public void A_removed_member_is_listed_with_its_last_status_newest_first_until_the_window_ends()
    {
        var history = new MemberHistory(TimeSpan.FromMinutes(1));
        history.Apply(At(0, "Unreachable", C));
        history.Apply(At(5, "MemberRemoved", C, "was Down"));
        history.Apply(At(30, "MemberRemoved", B, "was Exiting"));

        history.UnreachableFor(C, T0.AddSeconds(6)).Should().BeNull("a removed member is not a member at all");
        history.Removed(T0.AddSeconds(40)).Should().Equal(
            new RemovedMemberView(B, "Exiting", T0.AddSeconds(30)), new RemovedMemberView(C, "Down", T0.AddSeconds(5)));
        history.Removed(T0.AddSeconds(66)).Select(r => r.Address).Should().Equal(B);
        history.Removed(T0.AddSeconds(91)).Should().BeEmpty();
    }

    [Fact]
    public void A_member_that_comes_back_on_the_same_address_is_no_longer_listed_as_removed()
    {
        var history = new MemberHistory(TimeSpan.FromMinutes(10));
        history.Apply(At(0, "MemberRemoved", C, "was Down"));
        history.Apply(At(9, "MemberJoined", C));

        history.Removed(T0.AddSeconds(10)).Should().BeEmpty();
    }

    [Fact]
    public void The_show_response_carries_how_long_members_are_unreachable_and_who_was_removed()
    {
        var history = new MemberHistory(TimeSpan.FromMinutes(10));
        history.Apply(At(0, "Unreachable", B));
        history.Apply(At(1, "MemberRemoved", C, "was Down"));
        history.Apply(At(2, "MemberRemoved", "127.0.0.1:4056", "was Exiting"));
        var status = new ClusterStatusView(A, A,
        [
            new MemberView(A, "Up", true, 1, []),
            new MemberView(B, "Up", false, 2, []),
            new MemberView(C, "Removed", false, 3, []), // still in this node's state
        ], A);

        var show = AdminMessages.Show(status, history, T0.AddSeconds(12));

        show.Members.Select(m => m.UnreachableForMs).Should().Equal(0, 12_000, 0);
        show.Removed.Should().ContainSingle().Which.Should().Be(
            new Store.Wire.Admin.RemovedMemberInfo { Address = "127.0.0.1:4056", PreviousStatus = "Exiting", RemovedAgoMs = 10_000 });
    }
}
