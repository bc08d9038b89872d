using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class SchedulerTests(ITestOutputHelper output) : TestKitBase(output)
{
    [Fact]
    public void ScheduleOnce_runs_the_action_once()
    {
        var runs = 0;
        Sys.Scheduler.ScheduleOnce(TimeSpan.FromMilliseconds(30), () => { Interlocked.Increment(ref runs); TestActor.Tell("ran", null); });
        ExpectMsg("ran");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Volatile.Read(ref runs).Should().Be(1);
    }

    [Fact]
    public void ScheduleOnce_with_state_passes_the_state()
    {
        Sys.Scheduler.ScheduleOnce(TimeSpan.Zero, s => TestActor.Tell(s!, null), "state");
        ExpectMsg("state");
    }

    [Fact]
    public void ScheduleTellOnce_delivers_with_the_given_sender()
    {
        var sender = CreateTestProbe();
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, "later", sender.Ref);
        ExpectMsg("later");
        LastSender.Should().Be(sender.Ref);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ScheduleOnce_does_not_run_early()
    {
        var scheduledAt = Sys.Scheduler.Elapsed;
        Sys.Scheduler.ScheduleOnce(TimeSpan.FromMilliseconds(150), () => TestActor.Tell(Sys.Scheduler.Elapsed - scheduledAt, null));
        ExpectMsg<TimeSpan>().Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(149));
    }

    [Fact]
    public void ScheduleRepeatedly_runs_again_and_again()
    {
        var runs = 0;
        var c = Sys.Scheduler.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), () => Interlocked.Increment(ref runs));
        AwaitCondition(() => Volatile.Read(ref runs) >= 5);
        c.Cancel();
    }

    [Fact]
    public void A_cancelled_repeating_tell_sends_nothing_more()
    {
        var c = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), TestActor, "tick", null);
        ExpectMsg("tick");
        ExpectMsg("tick");
        ExpectMsg("tick");
        c.Cancel();
        c.IsCancellationRequested.Should().BeTrue();
        // The scheduler runs actions one at a time, in order: once this marker arrives, a tick
        // that was being sent during Cancel has arrived too. Nothing may come after it.
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.Zero, TestActor, "marker", null);
        FishForMessage<string>(s => s == "marker");
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_cancelled_repeating_action_runs_no_more()
    {
        var runs = 0;
        var c = Sys.Scheduler.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), () => Interlocked.Increment(ref runs));
        AwaitCondition(() => Volatile.Read(ref runs) >= 3);
        c.Cancel();
        var marker = new ManualResetEventSlim();
        Sys.Scheduler.ScheduleOnce(TimeSpan.Zero, marker.Set);
        marker.Wait(TestKitSettings.DefaultTimeout).Should().BeTrue();
        var after = Volatile.Read(ref runs);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // a deadline to wait for runs that must not come
        Volatile.Read(ref runs).Should().Be(after);
    }

    [Fact]
    public void A_once_task_cancelled_before_it_is_due_never_runs()
    {
        var c = Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), TestActor, "never", null);
        c.Cancel();
        ExpectNoMsg(TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public void Many_timers_with_different_delays_fire_in_deadline_order_across_wheel_rounds()
    {
        // 512 buckets of 10 ms: 7 s delays wrap the wheel; scale down to keep the test short:
        // delays of 0..600 ms spread over many buckets, each one a distinct tick apart.
        for (var i = 10; i >= 0; i--)
            Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(i * 60), TestActor, i, null);
        ReceiveN(11).Should().Equal(Enumerable.Range(0, 11).Cast<object>());
    }

    [Fact]
    public void A_throwing_action_is_logged_and_does_not_stop_the_scheduler()
    {
        Sys.Scheduler.ScheduleOnce(TimeSpan.Zero, () => throw new InvalidOperationException("scheduled boom"));
        ExpectLog(Microsoft.Extensions.Logging.LogLevel.Error, "scheduled boom");
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.Zero, TestActor, "still alive", null);
        ExpectMsg("still alive");
    }

    [Fact]
    public void A_repeating_interval_must_be_positive()
    {
        var act = () => Sys.Scheduler.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.Zero, () => { });
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
