using KvActors.Actor;
using KvActors.Event;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class TimerTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed record Single(string Key, object Message, int DelayMs);
    private sealed record Periodic(string Key, object Message, int IntervalMs);
    private sealed record CancelTimer(string Key);
    private sealed record IsActive(string Key);

    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public TimerActor(IActorRef probe, bool periodicInPreStart = false)
        {
            _probe = probe;
            _periodicInPreStart = periodicInPreStart;
            Receive<Single>(s => { Timers.StartSingleTimer(s.Key, s.Message, TimeSpan.FromMilliseconds(s.DelayMs)); Sender?.Tell("ok"); });
            Receive<Periodic>(p => { Timers.StartPeriodicTimer(p.Key, p.Message, TimeSpan.FromMilliseconds(p.IntervalMs)); Sender?.Tell("ok"); });
            Receive<CancelTimer>(c => { Timers.Cancel(c.Key); Sender!.Tell("cancelled"); });
            Receive<IsActive>(q => Sender!.Tell(Timers.IsTimerActive(q.Key)));
            Receive<string>(s => s == "replace", _ =>
            {
                // The first timer is due at once and may already be queued: replacing must still win.
                Timers.StartSingleTimer("k", "first", TimeSpan.Zero);
                Timers.StartSingleTimer("k", "second", TimeSpan.FromMilliseconds(50));
            });
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("boom"));
            Receive<string>(s => s == "cancel all", _ => { Timers.CancelAll(); Sender!.Tell("cancelled"); });
            ReceiveAny(m => probe.Tell(m));
        }

        private readonly IActorRef _probe;
        private readonly bool _periodicInPreStart;

        protected override void PreStart()
        {
            if (_periodicInPreStart) Timers.StartPeriodicTimer("prestart", "tick", TimeSpan.FromMilliseconds(30));
        }

        protected override void PostRestart(Exception reason)
        {
            base.PostRestart(reason);
            _probe.Tell("restarted");
        }
    }

    private IActorRef NewTimerActor(bool periodicInPreStart = false) =>
        Sys.ActorOf(Props.Create(() => new TimerActor(TestActor, periodicInPreStart)));

    private bool Active(IActorRef a, string key)
    {
        a.Tell(new IsActive(key), TestActor);
        return FishForMessage<bool>(_ => true); // a periodic timer may still be ticking in between
    }

    [Fact]
    public void A_single_timer_fires_once_and_is_then_inactive()
    {
        var a = NewTimerActor();
        a.Tell(new Single("k", "hello", 50), TestActor);
        ExpectMsg("ok");
        ExpectMsg("hello");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Active(a, "k").Should().BeFalse();
    }

    [Fact]
    public void A_periodic_timer_fires_repeatedly_until_cancelled()
    {
        var a = NewTimerActor();
        a.Tell(new Periodic("p", "tick", 30), TestActor);
        ExpectMsg("ok");
        ExpectMsg("tick");
        ExpectMsg("tick");
        ExpectMsg("tick");
        Active(a, "p").Should().BeTrue();
        a.Tell(new CancelTimer("p"), TestActor);
        FishForMessage<string>(s => s == "cancelled"); // ticks before the cancel are fine
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // even ticks already queued are dropped
        Active(a, "p").Should().BeFalse();
    }

    [Fact]
    public void Timers_with_different_keys_are_independent()
    {
        var a = NewTimerActor();
        a.Tell(new Single("a", "from a", 60));
        a.Tell(new Single("b", "from b", 30));
        a.Tell(new CancelTimer("a"), TestActor);
        FishForMessage<string>(s => s == "from b");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Active(a, "b").Should().BeFalse();
    }

    [Fact]
    public void Starting_a_timer_with_a_key_in_use_replaces_it_even_when_already_queued()
    {
        var a = NewTimerActor();
        for (var i = 0; i < 5; i++)
        {
            a.Tell("replace");
            ExpectMsg("second");
            ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public void Cancel_all_stops_every_timer()
    {
        var a = NewTimerActor();
        a.Tell(new Periodic("x", "x", 20));
        a.Tell(new Periodic("y", "y", 20));
        FishForMessage<string>(s => s == "x");
        FishForMessage<string>(s => s == "y");
        a.Tell("cancel all", TestActor);
        FishForMessage<string>(s => s == "cancelled");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Active(a, "x").Should().BeFalse();
    }

    [Fact]
    public void A_timer_started_in_a_handler_does_not_fire_after_a_restart()
    {
        var a = NewTimerActor();
        a.Tell(new Periodic("p", "tick", 20));
        a.Tell(new Single("s", "single", 300));
        ExpectMsg("tick");
        a.Tell("fail");
        FishForMessage<string>(s => s == "restarted");
        ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // neither the periodic nor the pending single timer
        Active(a, "p").Should().BeFalse();
        Active(a, "s").Should().BeFalse();
    }

    [Fact]
    public void A_timer_started_in_PreStart_runs_again_after_a_restart_because_PostRestart_calls_PreStart()
    {
        var a = NewTimerActor(periodicInPreStart: true);
        ExpectMsg("tick");
        a.Tell("fail");
        FishForMessage<string>(s => s == "restarted");
        ExpectMsg("tick");
        Active(a, "prestart").Should().BeTrue();
    }

    [Fact]
    public void Timers_are_cancelled_when_the_actor_stops()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var a = NewTimerActor();
        a.Tell(new Periodic("p", "tick", 20));
        ExpectMsg("tick");
        Watch(a);
        Sys.Stop(a);
        FishForMessage<Terminated>(t => t.ActorRef.Equals(a));
        // The scheduler runs one action at a time: once this marker is delivered, a tick that
        // was being sent while the actor stopped has been sent too. After it, nothing may come.
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.Zero, deadLetters.Ref, "marker", null);
        deadLetters.FishForMessage<string>(s => s == "marker");
        deadLetters.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
