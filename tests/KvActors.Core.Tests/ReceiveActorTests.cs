using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class ReceiveActorTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed class Typed : ReceiveActor
    {
        public Typed(IActorRef probe)
        {
            Receive<int>(i => i < 0, i => probe.Tell($"negative {i}"));
            Receive<int>(i => probe.Tell($"int {i}"));
            Receive<string>(s => probe.Tell($"string {s}"));
            // Declared after Receive<string>: never sees strings.
            Receive<object>(o => o is string, _ => probe.Tell("unreachable"));
            Receive<double>(d =>
            {
                if (d > 100) return false; // lets the next handler try
                probe.Tell($"small double {d}");
                return true;
            });
            Receive<double>(d => probe.Tell($"big double {d}"));
        }
    }

    private sealed class WithAny : ReceiveActor
    {
        public WithAny(IActorRef probe)
        {
            Receive<string>(s => probe.Tell($"string {s}"));
            ReceiveAny(o => probe.Tell($"any {o}"));
            Receive<int>(_ => probe.Tell("unreachable"));
        }
    }

    private sealed class FirstWins : ReceiveActor
    {
        public FirstWins(IActorRef probe)
        {
            Receive<object>(o => probe.Tell($"object {o}"));
            Receive<string>(s => probe.Tell($"string {s}"));
        }
    }

    private sealed class OnlyStrings : ReceiveActor
    {
        public OnlyStrings() => Receive<string>(_ => { });
    }

    private sealed class Untyped : UntypedActor
    {
        private readonly IActorRef _probe;
        public Untyped(IActorRef probe) => _probe = probe;

        protected override void OnReceive(object message)
        {
            if (message is string s) _probe.Tell($"untyped {s}", Self);
            else Unhandled(message);
        }
    }

    private sealed class LateReceive : ReceiveActor
    {
        public LateReceive() => Receive<string>(_ =>
        {
            try { Receive<int>(_ => { }); Sender!.Tell("accepted"); }
            catch (InvalidOperationException) { Sender!.Tell("refused"); }
        });
    }

    [Fact]
    public void Receive_dispatches_by_type_and_predicate_in_declaration_order()
    {
        var a = Sys.ActorOf(Props.Create(() => new Typed(TestActor)));
        a.Tell(-3);
        a.Tell(7);
        a.Tell("s");
        a.Tell(1.5);
        a.Tell(150.0);
        ExpectMsg("negative -3");
        ExpectMsg("int 7");
        ExpectMsg("string s");
        ExpectMsg("small double 1.5");
        ExpectMsg("big double 150");
    }

    [Fact]
    public void ReceiveAny_catches_what_earlier_handlers_did_not_and_shadows_later_ones()
    {
        var a = Sys.ActorOf(Props.Create(() => new WithAny(TestActor)));
        a.Tell("x");
        a.Tell(5);
        ExpectMsg("string x");
        ExpectMsg("any 5");
    }

    [Fact]
    public void The_first_matching_handler_wins()
    {
        var a = Sys.ActorOf(Props.Create(() => new FirstWins(TestActor)));
        a.Tell("x");
        ExpectMsg("object x");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Unhandled_messages_are_published_as_UnhandledMessage()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        var a = Sys.ActorOf(Props.Create<OnlyStrings>());
        var sender = CreateTestProbe();
        a.Tell(42, sender.Ref);
        var u = ExpectMsg<UnhandledMessage>();
        u.Message.Should().Be(42);
        u.Sender.Should().Be(sender.Ref);
        u.Recipient.Should().Be(a);
    }

    [Fact]
    public void UntypedActor_gets_every_message_and_can_call_Unhandled()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        var a = Sys.ActorOf(Props.Create(() => new Untyped(TestActor)));
        a.Tell("hello");
        ExpectMsg("untyped hello");
        LastSender.Should().Be(a);
        a.Tell(3);
        ExpectMsg<UnhandledMessage>().Message.Should().Be(3);
    }

    [Fact]
    public void Handlers_can_only_be_declared_in_the_constructor_or_Become()
    {
        var a = Sys.ActorOf(Props.Create<LateReceive>());
        a.Tell("try", TestActor);
        ExpectMsg("refused");
    }

    [Fact]
    public void An_actor_cannot_be_created_with_new()
    {
        var act = () => new EchoActor();
        act.Should().Throw<ActorInitializationException>();
    }
}
