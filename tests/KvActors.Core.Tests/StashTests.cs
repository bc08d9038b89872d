using KvActors.Actor;
using KvActors.Event;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class StashTests(ITestOutputHelper output) : TestKitBase(output)
{
    /// <summary>Stashes ints until "open"; then passes them to the probe.</summary>
    private sealed class Gate : ReceiveActor, IWithUnboundedStash
    {
        public IStash Stash { get; set; } = null!;

        public Gate(IActorRef probe)
        {
            Receive<string>(s => s == "open", _ => { Become(() => Open(probe)); Stash.UnstashAll(); });
            Receive<string>(s => s == "open one", _ => { BecomeStacked(() => Open(probe)); Stash.Unstash(); });
            Receive<string>(s => s == "count", _ => Sender!.Tell(Stash.Count));
            Receive<string>(s => s == "fail", _ => throw new InvalidOperationException("boom"));
            Receive<int>(_ => Stash.Stash());
        }

        private void Open(IActorRef probe)
        {
            Receive<string>(s => s == "close", _ => UnbecomeStacked());
            Receive<string>(s => s == "count", _ => Sender!.Tell(Stash.Count));
            Receive<string>(s => s == "release", _ => Stash.UnstashAll());
            Receive<int>(i => probe.Tell(i));
        }
    }

    private IActorRef NewGate() => Sys.ActorOf(Props.Create(() => new Gate(TestActor)));

    [Fact]
    public void UnstashAll_after_Become_delivers_stashed_messages_in_order_before_later_ones()
    {
        var g = NewGate();
        g.Tell(1);
        g.Tell(2);
        g.Tell(3);
        g.Tell("open");
        g.Tell(4);
        g.Tell(5);
        ReceiveN(5).Should().Equal(1, 2, 3, 4, 5);
        g.Tell("count", TestActor);
        ExpectMsg(0);
    }

    [Fact]
    public void Unstash_returns_only_the_oldest_message()
    {
        var g = NewGate();
        g.Tell(1);
        g.Tell(2);
        g.Tell(3);
        g.Tell("count", TestActor);
        ExpectMsg(3);
        g.Tell("open one");
        ExpectMsg(1);
        g.Tell("count", TestActor);
        ExpectMsg(2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        g.Tell("release");
        ReceiveN(2).Should().Equal(2, 3);
    }

    [Fact]
    public void Stashed_messages_survive_a_restart()
    {
        var g = NewGate();
        g.Tell(1);
        g.Tell(2);
        g.Tell(3);
        g.Tell("fail");
        g.Tell(4);
        g.Tell("open");
        // The new instance gets the stash back in front of the mailbox, stashes again, then opens.
        ReceiveN(4).Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public void Stashed_messages_go_to_dead_letters_when_the_actor_stops()
    {
        var dead = CreateTestProbe();
        Sys.EventStream.Subscribe(dead.Ref, typeof(DeadLetter));
        var g = NewGate();
        g.Tell(1, TestActor);
        g.Tell(2, TestActor);
        g.Tell("count", TestActor);
        ExpectMsg(2);
        Sys.Stop(g);
        var letters = dead.ReceiveN(2).Cast<DeadLetter>().ToList();
        letters.Select(d => d.Message).Should().Equal(1, 2);
        letters.Should().OnlyContain(d => d.Recipient.Equals(g) && TestActor.Equals(d.Sender));
    }

    [Fact]
    public void Stashing_outside_a_message_is_refused()
    {
        IStash? captured = null;
        var g = Sys.ActorOf(Props.Create(() => new Capturer(s => captured = s)));
        g.Tell("x", TestActor);
        ExpectMsg("x");
        var act = () => captured!.Stash();
        act.Should().Throw<InvalidOperationException>();
    }

    private sealed class Capturer : ReceiveActor, IWithUnboundedStash
    {
        public IStash Stash { get; set; } = null!;
        public Capturer(Action<IStash> capture) => ReceiveAny(m => { capture(Stash); Sender!.Tell(m); });
    }
}
