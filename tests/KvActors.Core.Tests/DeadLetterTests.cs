using KvActors.Actor;
using KvActors.Dispatch;
using KvActors.Event;
using KvActors.Hocon;
using KvActors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class DeadLetterLogLimiterTests
{
    [Fact]
    public void Logs_the_first_N_then_pauses_then_reports_how_many_it_skipped()
    {
        var limiter = new DeadLetterLogLimiter(3, TimeSpan.FromSeconds(10));
        limiter.Next(0).Should().Be(new DeadLetterLogLimiter.Decision(true, 0, false));
        limiter.Next(1).Should().Be(new DeadLetterLogLimiter.Decision(true, 0, false));
        limiter.Next(2).Should().Be(new DeadLetterLogLimiter.Decision(true, 0, true)); // the last before the pause
        limiter.Next(3).Log.Should().BeFalse();
        limiter.Next(5_000).Log.Should().BeFalse();
        limiter.Next(10_001).Log.Should().BeFalse(); // pause ends at 2 + 10 000
        limiter.Next(10_002).Should().Be(new DeadLetterLogLimiter.Decision(true, 3, false));
        limiter.Next(10_003).Should().Be(new DeadLetterLogLimiter.Decision(true, 0, false));
        limiter.Next(10_004).Should().Be(new DeadLetterLogLimiter.Decision(true, 0, true));
        limiter.Next(10_005).Log.Should().BeFalse();
    }

    [Fact]
    public void A_limit_of_one_pauses_after_every_line()
    {
        var limiter = new DeadLetterLogLimiter(1, TimeSpan.FromMilliseconds(100));
        limiter.Next(0).Should().Be(new DeadLetterLogLimiter.Decision(true, 0, true));
        limiter.Next(50).Log.Should().BeFalse();
        limiter.Next(100).Should().Be(new DeadLetterLogLimiter.Decision(true, 1, true));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_limit_of_zero_or_less_never_logs(int max)
    {
        var limiter = new DeadLetterLogLimiter(max, TimeSpan.FromSeconds(1));
        for (var t = 0; t < 10; t++) limiter.Next(t).Log.Should().BeFalse();
    }
}

public sealed class DeadLetterTests(ITestOutputHelper output)
    : TestKitBase(output, Config.Parse("kvactors.log-dead-letters = 3\nkvactors.log-dead-letters-suspend-duration = 1h"))
{
    [Fact]
    public void Dead_letters_are_logged_up_to_the_limit_then_logging_pauses()
    {
        var a = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(a);
        Sys.Stop(a);
        ExpectTerminated(a);
        var dead = CreateTestProbe();
        Sys.EventStream.Subscribe(dead.Ref, typeof(DeadLetter));
        for (var i = 0; i < 10; i++) a.Tell($"lost {i}");
        dead.ReceiveN(10);
        AwaitCondition(() => Logs.Matching(LogLevel.Information, "Dead letter").Count() >= 3);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // give the listener time to (wrongly) log more
        var lines = Logs.Matching(LogLevel.Information, "Dead letter").ToList();
        lines.Should().HaveCount(3);
        lines[0].Message.Should().Contain("[String]").And.Contain(a.Path.ToString()).And.NotContain("Further");
        lines[2].Message.Should().Contain("Further dead letters are not logged");
    }

    [Fact]
    public void Bounded_overflow_is_logged_as_dropped()
    {
        using var gate = new ManualResetEventSlim();
        using var openAtEnd = new OpenOnDispose(gate);
        using var entered = new ManualResetEventSlim();
        var a = Sys.ActorOf(Props.Create(() => new Blocker(entered, gate)).WithMailbox(MailboxType.Bounded(1)));
        a.Tell("block");
        entered.Wait(TestKitSettings.DefaultTimeout).Should().BeTrue();
        a.Tell("fits");
        a.Tell("overflow");
        ExpectLog(LogLevel.Information, "was dropped: mailbox full");
        gate.Set();
    }

    private sealed class Blocker : ReceiveActor
    {
        public Blocker(ManualResetEventSlim entered, ManualResetEventSlim gate) => ReceiveAny(m =>
        {
            if (m is not "block") return;
            entered.Set();
            gate.Wait(TestKitSettings.Dilated(TimeSpan.FromSeconds(30)));
        });
    }
}

public sealed class DeadLetterLoggingOffTests(ITestOutputHelper output)
    : TestKitBase(output, Config.Parse("kvactors.log-dead-letters = off"))
{
    [Fact]
    public void Off_means_no_dead_letter_logging()
    {
        Sys.Settings.LogDeadLetters.Should().Be(0);
        var dead = CreateTestProbe();
        Sys.EventStream.Subscribe(dead.Ref, typeof(DeadLetter));
        Sys.DeadLetters.Tell("into the void", TestActor);
        dead.ExpectMsg<DeadLetter>().Message.Should().Be("into the void");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Logs.Matching(LogLevel.Information, "Dead letter").Should().BeEmpty();
    }
}
