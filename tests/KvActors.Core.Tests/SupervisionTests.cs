using KvActors.Actor;
using KvActors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class SupervisionTests(ITestOutputHelper output) : TestKitBase(output)
{
    /// <summary>Counts "inc"s, throws on "fail", reports its lifecycle as "name:event" to <c>events</c>.</summary>
    private sealed class Worker : ReceiveActor
    {
        private readonly IActorRef? _events;

        public Worker(IActorRef probe, IActorRef? events)
        {
            _events = events;
            Report("ctor");
            var state = 0;
            Receive<string>(s => s == "inc", _ => Sender!.Tell(++state));
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("boom"));
            Receive<int>(i => probe.Tell(i));
        }

        private void Report(string what) => _events?.Tell($"{Self.Path.Name}:{what}");

        protected override void PreStart() => Report("prestart");
        protected override void PostStop() => Report("poststop");

        protected override void PreRestart(Exception reason, object? message)
        {
            Report($"prerestart {reason.Message} {message}");
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason)
        {
            Report("postrestart");
            base.PostRestart(reason);
        }
    }

    private sealed record SpawnChild(Props Props, string Name);

    /// <summary>Makes children on request; its strategy comes from its Props.</summary>
    private sealed class Supervisor : ReceiveActor
    {
        public Supervisor() => Receive<SpawnChild>(s => Sender!.Tell(Context.ActorOf(s.Props, s.Name)));
    }

    private sealed class ThrowsInConstructor : ReceiveActor
    {
        public ThrowsInConstructor() => throw new InvalidOperationException("ctor boom");
    }

    private sealed class ThrowsInPreStart : ReceiveActor
    {
        private readonly IActorRef _events;
        public ThrowsInPreStart(IActorRef events) { _events = events; ReceiveAny(_ => { }); }
        protected override void PreStart() => throw new InvalidOperationException("prestart boom");
        protected override void PostStop() => _events.Tell("poststop");
    }

    /// <summary>Has a child "c" (made in the constructor if absent); escalates or restarts per its Props.</summary>
    private sealed class Middle : ReceiveActor
    {
        private readonly IActorRef _events;

        public Middle(IActorRef probe, IActorRef events, bool keepChildren = false)
        {
            _events = events;
            _keepChildren = keepChildren;
            if (Context.Child("c") is null) Context.ActorOf(Props.Create(() => new Worker(probe, events)), "c");
            if (keepChildren && Context.Child("d") is null) Context.ActorOf(Props.Create(() => new Worker(probe, events)), "d");
            Receive<string>(s => s == "children", _ => Sender!.Tell(Context.GetChildren().Select(c => c.Path.Name).Order(StringComparer.Ordinal).ToArray()));
            Receive<string>(s => s.StartsWith("child ", StringComparison.Ordinal), s => Sender!.Tell(Context.Child(s[6..])!));
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("middle boom"));
        }

        private readonly bool _keepChildren;

        protected override void PreRestart(Exception reason, object? message)
        {
            if (!_keepChildren)
            {
                base.PreRestart(reason, message);
                return;
            }
            // Keeps "c", stops only "d" and waits for it: the restart must finish anyway.
            Context.Stop(Context.Child("d")!);
        }

        protected override void PostRestart(Exception reason)
        {
            _events.Tell($"middle:postrestart {reason.Message}");
            base.PostRestart(reason);
        }
    }

    private IActorRef NewSupervisor(SupervisorStrategy strategy, string name = "sup") =>
        Sys.ActorOf(Props.Create<Supervisor>().WithSupervisorStrategy(strategy), name);

    private IActorRef Spawn(IActorRef supervisor, string name, IActorRef? events = null)
    {
        supervisor.Tell(new SpawnChild(Props.Create(() => new Worker(TestActor, events)), name), TestActor);
        return ExpectMsg<IActorRef>();
    }

    private int Inc(IActorRef worker, TestProbe? via = null)
    {
        var p = via ?? Probe;
        worker.Tell("inc", p.Ref);
        return p.ExpectMsg<int>();
    }

    [Fact]
    public void A_throw_restarts_the_actor_with_fresh_state_and_the_next_message_is_processed()
    {
        var events = CreateTestProbe();
        var w = Sys.ActorOf(Props.Create(() => new Worker(TestActor, events.Ref)), "w");
        Inc(w).Should().Be(1);
        Inc(w).Should().Be(2);
        w.Tell("fail");
        Inc(w).Should().Be(1);
        events.ReceiveN(6).Should().Equal("w:ctor", "w:prestart", "w:prerestart boom fail", "w:poststop", "w:ctor", "w:postrestart");
        events.ExpectMsg("w:prestart");
        ExpectLog(LogLevel.Error, "boom");
    }

    [Fact]
    public void Lifecycle_hooks_run_in_order_through_restart_and_stop()
    {
        var events = CreateTestProbe();
        var w = Sys.ActorOf(Props.Create(() => new Worker(TestActor, events.Ref)), "w");
        w.Tell("fail");
        Watch(w);
        Inc(w).Should().Be(1);
        Sys.Stop(w);
        ExpectTerminated(w);
        events.ReceiveN(8).Should().Equal(
            "w:ctor", "w:prestart",
            "w:prerestart boom fail", "w:poststop", "w:ctor", "w:postrestart", "w:prestart",
            "w:poststop");
        events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void The_mailbox_is_kept_across_a_restart()
    {
        var w = Sys.ActorOf(Props.Create(() => new Worker(TestActor, null)));
        w.Tell("fail");
        for (var i = 1; i <= 200; i++) w.Tell(i);
        ReceiveN(200).Should().Equal(Enumerable.Range(1, 200).Cast<object>());
    }

    [Fact]
    public void More_restarts_than_allowed_within_the_window_stop_the_child()
    {
        var sup = NewSupervisor(new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        var events = CreateTestProbe();
        var w = Spawn(sup, "w", events.Ref);
        Watch(w);
        events.FishForMessage<string>(s => s == "w:prestart");
        w.Tell("fail");
        events.FishForMessage<string>(s => s == "w:postrestart");
        w.Tell("fail");
        events.FishForMessage<string>(s => s == "w:postrestart");
        w.Tell("fail");
        ExpectTerminated(w);
        events.FishForMessage<string>(s => s == "w:poststop");
    }

    [Fact]
    public void Resume_keeps_the_instance_and_its_state()
    {
        var sup = NewSupervisor(new OneForOneStrategy(_ => Directive.Resume));
        var events = CreateTestProbe();
        var w = Spawn(sup, "w", events.Ref);
        Inc(w).Should().Be(1);
        Inc(w).Should().Be(2);
        w.Tell("fail");
        Inc(w).Should().Be(3);
        events.ReceiveN(2).Should().Equal("w:ctor", "w:prestart");
        events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        ExpectLog(LogLevel.Warning, "Resume");
    }

    [Fact]
    public void Stop_directive_stops_the_child()
    {
        var sup = NewSupervisor(new OneForOneStrategy(_ => Directive.Stop));
        var w = Spawn(sup, "w");
        Watch(w);
        w.Tell("fail");
        ExpectTerminated(w).ExistenceConfirmed.Should().BeTrue();
    }

    [Fact]
    public void Escalate_lets_the_grandparent_decide_for_the_parent()
    {
        var decisions = CreateTestProbe("decisions");
        var events = CreateTestProbe("events");
        var grandparentStrategy = new OneForOneStrategy(e =>
        {
            decisions.Ref.Tell($"{e.GetType().Name}: {e.Message}");
            return Directive.Restart;
        });
        var gp = NewSupervisor(grandparentStrategy, "gp");
        gp.Tell(new SpawnChild(Props.Create(() => new Middle(TestActor, events.Ref, false))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Escalate)), "middle"), TestActor);
        var middle = ExpectMsg<IActorRef>();
        middle.Tell("child c", TestActor);
        var c = ExpectMsg<IActorRef>();
        Watch(c);

        c.Tell("fail");
        decisions.ExpectMsg("InvalidOperationException: boom"); // the child's own exception, judged for the parent
        events.FishForMessage<string>(s => s == "middle:postrestart boom");
        FishForMessage<Terminated>(t => t.ActorRef.Equals(c)); // the parent's default PreRestart stopped it
        middle.Tell("child c", TestActor);
        var newC = ExpectMsg<IActorRef>();
        newC.Should().NotBe(c);
        Inc(newC).Should().Be(1);
        decisions.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void AllForOne_restarts_every_sibling()
    {
        var sup = NewSupervisor(new AllForOneStrategy(_ => Directive.Restart));
        var events = CreateTestProbe();
        var a = Spawn(sup, "a", events.Ref);
        var b = Spawn(sup, "b", events.Ref);
        Inc(a); Inc(a);
        Inc(b); Inc(b);
        a.Tell("fail");
        var restarted = new HashSet<string>();
        events.FishForMessage<string>(s => s.EndsWith(":postrestart", StringComparison.Ordinal) && restarted.Add(s) && restarted.Count == 2);
        restarted.Should().BeEquivalentTo("a:postrestart", "b:postrestart");
        Inc(a).Should().Be(1);
        Inc(b).Should().Be(1);
    }

    [Fact]
    public void AllForOne_restarts_the_siblings_even_when_only_one_failed()
    {
        var sup = NewSupervisor(new AllForOneStrategy(_ => Directive.Restart));
        var events = CreateTestProbe();
        Spawn(sup, "a", events.Ref);
        var b = Spawn(sup, "b", events.Ref);
        Inc(b).Should().Be(1);
        Inc(b).Should().Be(2);
        sup.Tell(new SpawnChild(Props.Create(() => new Worker(TestActor, events.Ref)), "c"), TestActor);
        var c = ExpectMsg<IActorRef>();
        c.Tell("fail");
        var restarted = new HashSet<string>();
        events.FishForMessage<string>(s => s.EndsWith(":postrestart", StringComparison.Ordinal) && restarted.Add(s) && restarted.Count == 3);
        restarted.Should().BeEquivalentTo("a:postrestart", "b:postrestart", "c:postrestart");
        Inc(b).Should().Be(1);
    }

    [Fact]
    public void OneForOne_restarts_only_the_failed_child()
    {
        var sup = NewSupervisor(new OneForOneStrategy(_ => Directive.Restart));
        var events = CreateTestProbe();
        var a = Spawn(sup, "a", events.Ref);
        var b = Spawn(sup, "b", events.Ref);
        Inc(a); Inc(b); Inc(b);
        a.Tell("fail");
        events.FishForMessage<string>(s => s == "a:postrestart");
        Inc(a).Should().Be(1);
        Inc(b).Should().Be(3);
        events.FishForMessage<string>(s => s == "a:prestart");
        events.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // nothing from b
    }

    [Fact]
    public void Default_strategy_stops_an_actor_whose_constructor_throws()
    {
        var decisions = CreateTestProbe();
        var sup = NewSupervisor(new OneForOneStrategy(e => { decisions.Ref.Tell(e); return SupervisorStrategy.DefaultDecider(e); }));
        sup.Tell(new SpawnChild(Props.Create<ThrowsInConstructor>(), "bad"), TestActor);
        var bad = ExpectMsg<IActorRef>();
        Watch(bad);
        ExpectTerminated(bad);
        var cause = decisions.ExpectMsg<ActorInitializationException>();
        cause.InnerException.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("ctor boom");
        cause.Actor.Should().Be(bad);

        var top = Sys.ActorOf(Props.Create<ThrowsInConstructor>());
        Watch(top);
        ExpectTerminated(top);
    }

    [Fact]
    public void Default_strategy_stops_an_actor_whose_PreStart_throws()
    {
        var events = CreateTestProbe();
        var a = Sys.ActorOf(Props.Create(() => new ThrowsInPreStart(events.Ref)));
        Watch(a);
        ExpectTerminated(a);
        ExpectLog(LogLevel.Error, "prestart boom");
    }

    [Fact]
    public void Kill_makes_the_actor_fail_with_ActorKilledException_and_the_default_strategy_stops_it()
    {
        var decisions = CreateTestProbe();
        var sup = NewSupervisor(new OneForOneStrategy(e => { decisions.Ref.Tell(e); return SupervisorStrategy.DefaultDecider(e); }));
        var events = CreateTestProbe();
        var w = Spawn(sup, "w", events.Ref);
        Watch(w);
        w.Tell(Kill.Instance);
        ExpectTerminated(w);
        decisions.ExpectMsg<ActorKilledException>();
        events.FishForMessage<string>(s => s == "w:poststop");

        var top = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(top);
        top.Tell(Kill.Instance);
        ExpectTerminated(top);
    }

    [Fact]
    public void DefaultDecider_table()
    {
        SupervisorStrategy.DefaultDecider(new ActorInitializationException(null, "x", null)).Should().Be(Directive.Stop);
        SupervisorStrategy.DefaultDecider(new ActorKilledException("x")).Should().Be(Directive.Stop);
        SupervisorStrategy.DefaultDecider(new DeathPactException(TestActor)).Should().Be(Directive.Stop);
        SupervisorStrategy.DefaultDecider(new InvalidOperationException()).Should().Be(Directive.Restart);
        SupervisorStrategy.DefaultDecider(new ArgumentException()).Should().Be(Directive.Restart);
    }

    [Fact]
    public void The_default_PreRestart_stops_the_children()
    {
        var events = CreateTestProbe();
        var m = Sys.ActorOf(Props.Create(() => new Middle(TestActor, events.Ref, false)), "middle");
        m.Tell("child c", TestActor);
        var c = ExpectMsg<IActorRef>();
        Watch(c);
        m.Tell("fail");
        FishForMessage<Terminated>(t => t.ActorRef.Equals(c));
        events.FishForMessage<string>(s => s == "c:poststop");
        events.FishForMessage<string>(s => s == "middle:postrestart middle boom");
        m.Tell("child c", TestActor);
        ExpectMsg<IActorRef>().Should().NotBe(c); // the new instance made a new child under the freed name
    }

    [Fact]
    public void A_restart_finishes_when_PreRestart_stops_only_some_children()
    {
        var events = CreateTestProbe();
        var m = Sys.ActorOf(Props.Create(() => new Middle(TestActor, events.Ref, true)), "middle");
        m.Tell("child c", TestActor);
        var c = ExpectMsg<IActorRef>();
        m.Tell("child d", TestActor);
        var d = ExpectMsg<IActorRef>();
        Inc(c).Should().Be(1);
        Watch(d);
        m.Tell("fail");
        FishForMessage<Terminated>(t => t.ActorRef.Equals(d));
        events.FishForMessage<string>(s => s == "middle:postrestart middle boom");
        m.Tell("children", TestActor);
        ExpectMsg<string[]>().Should().Equal("c", "d"); // c kept, d made again by the new instance
        Inc(c).Should().Be(2); // the kept child was resumed with its state
    }
}
