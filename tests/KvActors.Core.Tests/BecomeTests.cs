using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class BecomeTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed class Moody : ReceiveActor
    {
        public Moody()
        {
            Receive<string>(s => Handle("A", s));
        }

        private void Handle(string mood, string s)
        {
            switch (s)
            {
                case "become B": Become(() => Receive<string>(m => Handle("B", m))); break;
                case "become C": Become(() => Receive<string>(m => Handle("C", m))); break;
                case "push B": BecomeStacked(() => Receive<string>(m => Handle("B", m))); break;
                case "push C": BecomeStacked(() => Receive<string>(m => Handle("C", m))); break;
                case "pop": UnbecomeStacked(); break;
                case "fail": throw new InvalidOperationException("boom");
                default: Sender!.Tell($"{mood}:{s}"); break;
            }
        }
    }

    /// <summary>Uses IActorContext.Become with a raw Receive delegate.</summary>
    private sealed class Raw : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is "switch")
                Context.Become(m =>
                {
                    if (m is not string s) return false;
                    Sender!.Tell("raw " + s);
                    return true;
                });
            else Sender!.Tell("untyped " + message);
        }
    }

    private string Say(IActorRef a, string text)
    {
        a.Tell(text, TestActor);
        return ExpectMsg<string>();
    }

    [Fact]
    public void Become_replaces_the_behaviour_and_Unbecome_returns_to_the_original()
    {
        var a = Sys.ActorOf(Props.Create<Moody>());
        Say(a, "x").Should().Be("A:x");
        a.Tell("become B");
        Say(a, "x").Should().Be("B:x");
        a.Tell("become C"); // replaces B: nothing left to return to but the original
        Say(a, "x").Should().Be("C:x");
        a.Tell("pop");
        Say(a, "x").Should().Be("A:x");
    }

    [Fact]
    public void BecomeStacked_and_UnbecomeStacked_nest()
    {
        var a = Sys.ActorOf(Props.Create<Moody>());
        a.Tell("push B");
        a.Tell("push C");
        Say(a, "x").Should().Be("C:x");
        a.Tell("pop");
        Say(a, "x").Should().Be("B:x");
        a.Tell("pop");
        Say(a, "x").Should().Be("A:x");
        a.Tell("pop"); // popping the original is a no-op
        Say(a, "x").Should().Be("A:x");
    }

    [Fact]
    public void Become_on_top_of_a_stack_replaces_only_the_top()
    {
        var a = Sys.ActorOf(Props.Create<Moody>());
        a.Tell("push B");
        a.Tell("push C");
        a.Tell("become B");
        Say(a, "x").Should().Be("B:x");
        a.Tell("pop");
        Say(a, "x").Should().Be("B:x"); // the B pushed first
        a.Tell("pop");
        Say(a, "x").Should().Be("A:x");
    }

    [Fact]
    public void A_restart_returns_to_the_initial_behaviour()
    {
        var a = Sys.ActorOf(Props.Create<Moody>());
        a.Tell("push B");
        Say(a, "x").Should().Be("B:x");
        a.Tell("fail");
        Say(a, "x").Should().Be("A:x");
    }

    [Fact]
    public void Context_Become_takes_a_raw_receive_function()
    {
        var a = Sys.ActorOf(Props.Create<Raw>());
        Say(a, "x").Should().Be("untyped x");
        a.Tell("switch");
        Say(a, "y").Should().Be("raw y");
    }
}
