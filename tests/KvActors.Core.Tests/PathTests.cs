using KvActors.Actor;
using KvActors.Actor.Internal;

namespace KvActors.Core.Tests;

public sealed class PathTests
{
    [Theory]
    [InlineData("kvactors://sys/")]
    [InlineData("kvactors://sys/user")]
    [InlineData("kvactors://sys/user/a/b")]
    [InlineData("kvactors.tcp://node-1@10.0.0.5:2552/user/shard-7")]
    [InlineData("kvactors.tcp://node@localhost:0/system/x$y")]
    public void ActorPath_parse_and_format_round_trip(string text)
    {
        var path = ActorPath.Parse(text);
        path.ToString().Should().Be(text);
        ActorPath.Parse(path.ToString()).Should().Be(path);
    }

    [Fact]
    public void ActorPath_with_uid_round_trips_in_serialization_format()
    {
        var path = ActorPath.Parse("kvactors://sys/user/a#12345");
        path.Uid.Should().Be(12345);
        path.Name.Should().Be("a");
        path.ToString().Should().Be("kvactors://sys/user/a");
        path.ToSerializationFormat().Should().Be("kvactors://sys/user/a#12345");
        ActorPath.Parse(path.ToSerializationFormat()).Uid.Should().Be(12345);
        ActorPath.Parse("kvactors://sys/user/a").ToSerializationFormat().Should().Be("kvactors://sys/user/a");
    }

    [Fact]
    public void ActorPath_equality_ignores_the_uid()
    {
        var a = ActorPath.Parse("kvactors://sys/user/a#1");
        var b = ActorPath.Parse("kvactors://sys/user/a#2");
        var c = ActorPath.Parse("kvactors://sys/user/a");
        a.Should().Be(b);
        (a == c).Should().BeTrue();
        a.GetHashCode().Should().Be(b.GetHashCode()).And.Be(c.GetHashCode());
        a.Should().NotBe(ActorPath.Parse("kvactors://sys/user/b#1"));
        a.Should().NotBe(ActorPath.Parse("kvactors://other/user/a#1"));
        a.Should().NotBe(ActorPath.Parse("kvactors://sys/user/a/a"));
        (a != ActorPath.Parse("kvactors://sys/system/a")).Should().BeTrue();
    }

    [Fact]
    public void ActorPath_structure()
    {
        var root = new RootActorPath(Address.Local("sys"));
        var p = root / "user" / "a" / "b";
        p.Depth.Should().Be(3);
        p.Elements.Should().Equal("user", "a", "b");
        p.Parent.Should().Be(root / "user" / "a");
        p.Root.Should().Be(root);
        p.Address.Should().Be(Address.Local("sys"));
        p.ToStringWithoutAddress().Should().Be("/user/a/b");
        root.ToStringWithoutAddress().Should().Be("/");
        root.Parent.Should().BeSameAs(root);
        p.WithUid(7).Uid.Should().Be(7);
        p.WithUid(7).Should().Be(p);
        p.ToStringWithAddress(Address.Tcp("sys", "h", 1)).Should().Be("kvactors.tcp://sys@h:1/user/a/b");
        var act = () => root.WithUid(5);
        act.Should().Throw<InvalidOperationException>();
        (root / "a").CompareTo(root / "b").Should().BeNegative();
    }

    [Theory]
    [InlineData("")]
    [InlineData("/user/a")]
    [InlineData("sys/user/a")]
    [InlineData("kvactors://")]
    [InlineData("kvactors://sys/user/a#notanumber")]
    [InlineData("kvactors.tcp://sys@host/user")]
    [InlineData("kvactors.tcp://sys@host:99999/user")]
    [InlineData("kvactors.tcp://@host:1/user")]
    public void Invalid_paths_are_refused(string text)
    {
        ActorPath.TryParse(text, out _).Should().BeFalse();
        var act = () => ActorPath.Parse(text);
        act.Should().Throw<FormatException>();
    }

    [Theory]
    [InlineData("kvactors://sys")]
    [InlineData("kvactors.tcp://sys@127.0.0.1:2552")]
    [InlineData("kvactors.tcp://my-system@node.example.com:65535")]
    public void Address_parse_and_format_round_trip(string text)
    {
        var a = Address.Parse(text);
        a.ToString().Should().Be(text);
        Address.Parse(a.ToString()).Should().Be(a);
    }

    [Fact]
    public void Address_parts_and_scope()
    {
        var tcp = Address.Parse("kvactors.tcp://sys@host:2552/user/ignored");
        tcp.Should().Be(Address.Tcp("sys", "host", 2552));
        tcp.HasGlobalScope.Should().BeTrue();
        tcp.HostPort.Should().Be("host:2552");
        var local = Address.Local("sys");
        local.HasLocalScope.Should().BeTrue();
        local.HostPort.Should().Be("sys");
        Address.Parse("kvactors.tcp://sys@[::1]:2552").Host.Should().Be("::1");
        Address.Parse("kvactors.tcp://sys@[::1]:2552").ToString().Should().Be("kvactors.tcp://sys@[::1]:2552", "an IPv6 host keeps its brackets");
        Address.TryParse("nonsense", out _).Should().BeFalse();
        Address.Tcp("s", "a", 2).CompareTo(Address.Tcp("s", "a", 10)).Should().BeNegative();
        Address.Tcp("s", "a", 10).CompareTo(Address.Tcp("s", "b", 1)).Should().BeNegative();
    }

    [Theory]
    [InlineData(0, "a")]
    [InlineData(1, "b")]
    [InlineData(25, "z")]
    [InlineData(26, "A")]
    [InlineData(52, "0")]
    [InlineData(62, "+")]
    [InlineData(63, "~")]
    [InlineData(64, "ba")]
    [InlineData(4096, "baa")]
    public void ActorNames_Base64(long n, string expected) => ActorNames.Base64(n).Should().Be(expected);

    [Fact]
    public void ActorNames_Base64_is_unique_and_a_valid_name_suffix()
    {
        var names = Enumerable.Range(0, 10_000).Select(i => ActorNames.Base64(i)).ToList();
        names.Should().OnlyHaveUniqueItems();
        foreach (var n in names.Take(200)) ActorNames.Validate("x" + n);
    }
}

public sealed class ChildRestartStatsTests
{
    public static TheoryData<int, int?, long[], bool[]> Cases => new()
    {
        // unlimited retries, no window: always allowed
        { -1, null, [0, 1, 2, 3, 4, 5], [true, true, true, true, true, true] },
        // zero retries: never
        { 0, null, [0, 1], [false, false] },
        { 0, 1000, [0, 5000], [false, false] },
        // N retries without a window: N in total, ever
        { 3, null, [0, 100_000, 200_000, 300_000, 400_000], [true, true, true, false, false] },
        // N retries within a window: the count starts again once the window has passed
        { 2, 1000, [0, 10, 20, 30], [true, true, false, false] },
        { 2, 1000, [0, 10, 1001, 1002, 1003], [true, true, true, true, false] },
        { 2, 1000, [0, 1000, 1000], [true, true, false] }, // exactly at the window's end is still inside
        { 1, 100, [0, 50, 101, 150, 202], [true, false, true, false, true] },
        // unlimited retries within a window: always allowed
        { -1, 1000, [0, 1, 2, 3000], [true, true, true, true] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RequestRestartPermission_table(int maxNrOfRetries, int? windowMs, long[] times, bool[] expected)
    {
        var stats = new ChildRestartStats();
        var window = windowMs is { } w ? TimeSpan.FromMilliseconds(w) : (TimeSpan?)null;
        var results = times.Select(t => stats.RequestRestartPermission(maxNrOfRetries, window, t)).ToArray();
        results.Should().Equal(expected);
    }
}
