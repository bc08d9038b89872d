using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class DeathWatchTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed record WatchIt(IActorRef Target);
    private sealed record UnwatchIt(IActorRef Target);

    /// <summary>
    /// What the watcher saw. Terminated itself cannot be passed on: like in Akka, an actor drops a
    /// Terminated for an actor it does not watch.
    /// </summary>
    private sealed record Saw(Terminated Terminated, IActorRef? Sender);

    /// <summary>Watches on request and reports every Terminated to the probe.</summary>
    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef probe)
        {
            Receive<WatchIt>(w => { Context.Watch(w.Target); Sender?.Tell("watching"); });
            Receive<UnwatchIt>(w => { Context.Unwatch(w.Target); Sender?.Tell("unwatched"); });
            Receive<Terminated>(t => probe.Tell(new Saw(t, Sender)));
            Receive<string>(s => s == "make child", _ => Sender!.Tell(Context.ActorOf(Props.Create<EchoActor>(), "child")));
            Receive<string>(s => s == "stop child", _ => Context.Stop(Context.Child("child")!));
        }
    }

    /// <summary>Watches but does not handle Terminated.</summary>
    private sealed class CarelessWatcher : ReceiveActor
    {
        public CarelessWatcher(IActorRef target)
        {
            Context.Watch(target);
            Receive<string>(_ => Sender!.Tell("ready"));
        }
    }

    private IActorRef NewWatcher() => Sys.ActorOf(Props.Create(() => new Watcher(TestActor)));

    [Fact]
    public void Terminated_is_delivered_exactly_once_even_when_watched_twice()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var w = NewWatcher();
        w.Tell(new WatchIt(target), TestActor);
        w.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        ExpectMsg("watching");
        Sys.Stop(target);
        var t = ExpectMsg<Saw>().Terminated;
        t.ActorRef.Should().Be(target);
        t.ExistenceConfirmed.Should().BeTrue();
        t.AddressTerminated.Should().BeFalse();
        LastSender.Should().Be(w);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_parent_that_also_watches_its_child_gets_one_Terminated()
    {
        var w = NewWatcher();
        w.Tell("make child", TestActor);
        var child = ExpectMsg<IActorRef>();
        w.Tell(new WatchIt(child), TestActor);
        ExpectMsg("watching");
        w.Tell("stop child");
        ExpectMsg<Saw>().Terminated.ActorRef.Should().Be(child);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Several_watchers_each_get_Terminated()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var probes = Enumerable.Range(0, 5).Select(i => CreateTestProbe($"p{i}")).ToList();
        var watchers = probes.Select(p => Sys.ActorOf(Props.Create(() => new Watcher(p.Ref)))).ToList();
        foreach (var w in watchers) { w.Tell(new WatchIt(target), TestActor); ExpectMsg("watching"); }
        Sys.Stop(target);
        foreach (var p in probes)
        {
            p.ExpectMsg<Saw>().Terminated.ActorRef.Should().Be(target);
            p.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        }
    }

    [Fact]
    public void Watching_an_actor_that_is_already_dead_gives_Terminated()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var p = CreateTestProbe();
        p.Watch(target);
        Sys.Stop(target);
        p.ExpectTerminated(target);

        var w = NewWatcher();
        w.Tell(new WatchIt(target), null);
        var t = ExpectMsg<Saw>().Terminated;
        t.ActorRef.Should().Be(target);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Watching_a_path_where_no_actor_lives_gives_Terminated_without_existence()
    {
        var nobody = Sys.Provider.ResolveActorRef(Sys.Provider.RootPath / "user" / "never-was");
        var w = NewWatcher();
        w.Tell(new WatchIt(nobody), null);
        var t = ExpectMsg<Saw>().Terminated;
        t.ActorRef.Should().Be(nobody);
        t.ExistenceConfirmed.Should().BeFalse();
    }

    [Fact]
    public void Unwatch_before_termination_means_no_Terminated()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var w = NewWatcher();
        w.Tell(new WatchIt(target), TestActor);
        ExpectMsg("watching");
        w.Tell(new UnwatchIt(target), TestActor);
        ExpectMsg("unwatched");
        var p = CreateTestProbe();
        p.Watch(target);
        Sys.Stop(target);
        p.ExpectTerminated(target);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Unhandled_Terminated_is_a_DeathPactException_and_the_watcher_is_stopped()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var careless = Sys.ActorOf(Props.Create(() => new CarelessWatcher(target)));
        careless.Tell("ping", TestActor);
        ExpectMsg("ready");
        Watch(careless);
        Sys.Stop(target);
        ExpectTerminated(careless);
        ExpectLog(Microsoft.Extensions.Logging.LogLevel.Error, "did not handle Terminated");
    }

    [Fact]
    public void The_TestKit_watch_sees_a_stopped_actor()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(target);
        target.Tell(PoisonPill.Instance);
        ExpectTerminated(target).ExistenceConfirmed.Should().BeTrue();
    }
}
