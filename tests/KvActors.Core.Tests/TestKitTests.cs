using KvActors.TestKit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KvActors.Core.Tests;

/// <summary>The probe itself: these tests guard the tools every other test relies on.</summary>
public sealed class TestKitTests(ITestOutputHelper output) : TestKitBase(output)
{
    [Fact]
    public void ReceiveWhile_stops_at_the_first_rejected_message_and_leaves_it_next_in_line()
    {
        foreach (var m in new object[] { 1, 2, "stop", 3, "again", 4 }) TestActor.Tell(m, null);
        AwaitCondition(() => Probe.QueuedCount == 6); // the idle bound below must not race the delivery
        ReceiveWhile<object>(m => m is int ? m : null, idle: TimeSpan.FromMilliseconds(500)).Should().Equal(1, 2);
        ExpectMsg("stop");
        ReceiveWhile<object>(m => m is int ? m : null, idle: TimeSpan.FromMilliseconds(500)).Should().Equal(3);
        // Two ReceiveWhile calls in a row: the message that ended the first one comes first.
        ReceiveWhile<object>(m => m is "again" ? m : null, idle: TimeSpan.FromMilliseconds(500)).Should().Equal("again");
        ExpectMsg(4);
    }

    [Fact]
    public void ReceiveWhile_twice_in_a_row_keeps_the_pushed_back_message()
    {
        foreach (var m in new object[] { "a", 1, 2 }) TestActor.Tell(m, null);
        AwaitCondition(() => Probe.QueuedCount == 3);
        ReceiveWhile<object>(m => m is int ? m : null, idle: TimeSpan.FromMilliseconds(300)).Should().BeEmpty();
        ReceiveWhile<object>(m => m is int ? m : null, idle: TimeSpan.FromMilliseconds(300)).Should().BeEmpty();
        ExpectMsg("a");
        ReceiveN(2).Should().Equal(1, 2);
    }

    [Fact]
    public void ExpectMsg_fails_on_the_wrong_message_and_on_timeout()
    {
        TestActor.Tell("x", null);
        var wrong = () => ExpectMsg(5);
        wrong.Should().Throw<XunitException>();
        var none = () => ExpectMsg<string>(timeout: TimeSpan.FromMilliseconds(50));
        none.Should().Throw<XunitException>();
    }

    [Fact]
    public void Within_fails_when_the_block_takes_too_long()
    {
        var act = () => Within(TimeSpan.FromMilliseconds(50), () => ExpectMsg<string>(timeout: TimeSpan.FromSeconds(1)));
        act.Should().Throw<XunitException>(); // the wait is capped by the block, so it fails fast
    }
}
