using static KvActors.Cluster.Tests.TestNodes;

namespace KvActors.Cluster.Tests;

public sealed class MemberTests
{
    [Theory]
    [InlineData(MemberStatus.Joining, "WeaklyUp,Up,Leaving,Down,Removed")]
    [InlineData(MemberStatus.WeaklyUp, "Up,Leaving,Down,Removed")]
    [InlineData(MemberStatus.Up, "Leaving,Down,Removed")]
    [InlineData(MemberStatus.Leaving, "Exiting,Down,Removed")]
    [InlineData(MemberStatus.Exiting, "Removed,Down")]
    [InlineData(MemberStatus.Down, "Removed")]
    [InlineData(MemberStatus.Removed, "")]
    public void Allowed_transitions_follow_Akka(MemberStatus from, string allowed)
    {
        var set = allowed.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<MemberStatus>).ToHashSet();
        foreach (var to in Enum.GetValues<MemberStatus>())
            MemberStatusTransitions.IsAllowed(from, to).Should().Be(to == from || set.Contains(to), $"{from} -> {to}");
    }

    [Fact]
    public void Create_is_joining_without_up_number_and_copy_checks_transitions()
    {
        var m = Member.Create(Node(1), ["store"]);
        m.Status.Should().Be(MemberStatus.Joining);
        m.UpNumber.Should().Be(int.MaxValue);
        m.HasRole("store").Should().BeTrue();
        m.HasRole("other").Should().BeFalse();
        var up = m.CopyUp(3);
        up.Status.Should().Be(MemberStatus.Up);
        up.UpNumber.Should().Be(3);
        var down = up.Copy(MemberStatus.Down);
        down.Invoking(d => d.Copy(MemberStatus.Up)).Should().Throw<InvalidOperationException>();
        down.Copy(MemberStatus.Removed).Status.Should().Be(MemberStatus.Removed);
    }

    [Fact]
    public void Age_is_by_up_number_then_address_and_joining_members_are_youngest()
    {
        M(2, MemberStatus.Up, 1).IsOlderThan(M(1, MemberStatus.Up, 2)).Should().BeTrue();
        M(1, MemberStatus.Up, 5).IsOlderThan(M(2, MemberStatus.Up, 5)).Should().BeTrue();
        M(2, MemberStatus.Up, 5).IsOlderThan(M(1, MemberStatus.Up, 5)).Should().BeFalse();
        M(9, MemberStatus.Up, 100).IsOlderThan(M(1, MemberStatus.Joining)).Should().BeTrue();
        M(9, MemberStatus.Up, 100).IsOlderThan(M(1, MemberStatus.WeaklyUp)).Should().BeTrue();
        M(1, MemberStatus.Joining).IsOlderThan(M(2, MemberStatus.Joining)).Should().BeTrue();
    }

    [Fact]
    public void Address_ordering_is_by_address_then_uid_and_equality_is_by_value()
    {
        var a = new Member(new Remote.UniqueAddress(Node(1).Address, 5), MemberStatus.Up, 1, Member.EmptyRoles);
        var b = new Member(new Remote.UniqueAddress(Node(1).Address, 6), MemberStatus.Up, 1, Member.EmptyRoles);
        Member.AddressOrdering.Compare(a, b).Should().BeNegative();
        Member.AddressOrdering.Compare(M(2, MemberStatus.Up), M(10, MemberStatus.Up)).Should().BeNegative();
        Member.Create(Node(1), ["x", "y"]).Should().Be(Member.Create(Node(1), ["y", "x"]));
        Member.Create(Node(1), ["x"]).Should().NotBe(Member.Create(Node(1), ["y"]));
        a.Should().NotBe(a.Copy(MemberStatus.Leaving));
    }
}
