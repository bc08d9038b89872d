using KvActors.Actor;
using KvActors.Dispatch;
using KvActors.Event;
using KvActors.Hocon;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class ConfigTests
{
    [Fact]
    public void Reference_defaults_are_read_into_Settings()
    {
        using var sys = ActorSystem.Create("defaults");
        var s = sys.Settings;
        s.Throughput.Should().Be(30);
        s.DefaultMailboxCapacity.Should().Be(0);
        s.AskTimeout.Should().Be(TimeSpan.FromSeconds(10));
        s.CreationTimeout.Should().Be(TimeSpan.FromSeconds(20));
        s.SchedulerTickDuration.Should().Be(TimeSpan.FromMilliseconds(10));
        s.SchedulerTicksPerWheel.Should().Be(512);
        s.LogDeadLetters.Should().Be(10);
        s.LogDeadLettersSuspendDuration.Should().Be(TimeSpan.FromMinutes(5));
        s.LogDeadLettersDuringShutdown.Should().BeFalse();
        s.Provider.Should().Be("local");
        sys.Dispatcher.Throughput.Should().Be(30);
    }

    [Fact]
    public void A_config_override_is_honoured()
    {
        using var sys = ActorSystem.Create("overridden", Config.Parse("""
            kvactors.actor.default-dispatcher.throughput = 5
            kvactors.actor.ask-timeout = 3s
            kvactors.scheduler.tick-duration = 5ms
            """));
        sys.Settings.Throughput.Should().Be(5);
        sys.Dispatcher.Throughput.Should().Be(5);
        sys.Settings.AskTimeout.Should().Be(TimeSpan.FromSeconds(3));
        sys.Settings.SchedulerTickDuration.Should().Be(TimeSpan.FromMilliseconds(5));
        sys.Settings.Throughput.Should().Be(5);
        sys.Config.GetInt("kvactors.actor.default-dispatcher.throughput").Should().Be(5);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("-leading")]
    [InlineData("a/b")]
    public void Invalid_system_names_are_refused(string name)
    {
        var act = () => ActorSystem.Create(name);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_zero_throughput_is_refused()
    {
        var act = () => ActorSystem.Create("zero", Config.Parse("kvactors.actor.default-dispatcher.throughput = 0"));
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}

/// <summary>kvactors.actor.default-mailbox.mailbox-capacity bounds mailboxes made without an explicit MailboxType.</summary>
public sealed class DefaultMailboxCapacityTests(ITestOutputHelper output)
    : TestKitBase(output, Config.Parse("kvactors.actor.default-mailbox.mailbox-capacity = 5"))
{
    private sealed class Blocker : ReceiveActor
    {
        public Blocker(ManualResetEventSlim entered, ManualResetEventSlim gate)
        {
            var count = 0;
            Receive<string>(s => s == "block", _ => { entered.Set(); gate.Wait(TestKitSettings.Dilated(TimeSpan.FromSeconds(30))); });
            Receive<string>(s => s == "count", _ => Sender!.Tell(count));
            Receive<int>(_ => count++);
        }
    }

    [Fact]
    public void The_configured_default_capacity_bounds_mailboxes()
    {
        Sys.Settings.DefaultMailboxCapacity.Should().Be(5);
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var openAtEnd = new OpenOnDispose(gate);
        var dropped = CreateTestProbe();
        Sys.EventStream.Subscribe(dropped.Ref, typeof(Dropped));
        var a = Sys.ActorOf(Props.Create(() => new Blocker(entered, gate)));
        a.Tell("block");
        entered.Wait(TestKitSettings.DefaultTimeout).Should().BeTrue();
        for (var i = 0; i < 8; i++) a.Tell(i);
        dropped.ReceiveN(3).Cast<Dropped>().Select(d => d.Message).Should().Equal(5, 6, 7);
        gate.Set();
        AwaitAssert(() => Awaiting.Result(a.Ask<int>("count", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(2)).Should().Be(5));
    }

    [Fact]
    public void An_explicit_unbounded_mailbox_is_not_bounded_by_the_default()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var openAtEnd = new OpenOnDispose(gate);
        var dropped = CreateTestProbe();
        Sys.EventStream.Subscribe(dropped.Ref, typeof(Dropped));
        var a = Sys.ActorOf(Props.Create(() => new Blocker(entered, gate)).WithMailbox(MailboxType.Unbounded));
        a.Tell("block");
        entered.Wait(TestKitSettings.DefaultTimeout).Should().BeTrue();
        for (var i = 0; i < 100; i++) a.Tell(i);
        gate.Set();
        AwaitAssert(() => Awaiting.Result(a.Ask<int>("count", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(2)).Should().Be(100));
        dropped.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
