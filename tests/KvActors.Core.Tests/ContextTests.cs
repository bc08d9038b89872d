using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class ContextTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed record MakeChild(string? Name);
    private sealed record StopChild(string Name);
    private sealed record Names(string[] Children);

    private sealed class Parent : ReceiveActor
    {
        public Parent(IActorRef probe)
        {
            Receive<MakeChild>(m =>
            {
                try { Sender!.Tell(Context.ActorOf(Props.Create(() => new Child(probe)), m.Name)); }
                catch (Exception e) { Sender!.Tell(new Status.Failure(e)); }
            });
            Receive<string>(s => s == "children", _ =>
                Sender!.Tell(new Names(Context.GetChildren().Select(c => c.Path.Name).Order(StringComparer.Ordinal).ToArray())));
            Receive<string>(s => s.StartsWith("child ", StringComparison.Ordinal), s =>
                Sender!.Tell((object?)Context.Child(s[6..]) ?? "none"));
            Receive<StopChild>(s => Context.Stop(Context.Child(s.Name)!));
            Receive<string>(s => s.StartsWith("watch ", StringComparison.Ordinal), s =>
            {
                Context.Watch(Context.Child(s[6..])!);
                Sender!.Tell("watching");
            });
            Receive<Terminated>(t => probe.Tell($"terminated {t.ActorRef.Path.Name}"));
        }
    }

    private sealed class Child : ReceiveActor
    {
        public Child(IActorRef probe)
        {
            Receive<string>(s => s == "parent", _ => Sender!.Tell(Context.Parent));
            Receive<string>(s => s == "self", _ => Sender!.Tell(Context.Self));
            Receive<string>(s => s == "sender", _ => Sender!.Tell((object?)Context.Sender ?? "none"));
            Receive<string>(s => s == "stop yourself", _ => Context.Stop(Self));
            Receive<string>(s => s == "system", _ => Sender!.Tell(Context.System.Name));
            Receive<string>(s => s == "props", _ => Sender!.Tell(Context.Props.ActorType.Name));
            Receive<int>(i => probe.Tell(i));
        }

        protected override void PostStop() => Context.System.EventStream.Publish($"poststop {Self.Path.Name}");
    }

    private IActorRef NewParent(string name = "parent") => Sys.ActorOf(Props.Create(() => new Parent(TestActor)), name);

    private IActorRef Make(IActorRef parent, string? name)
    {
        parent.Tell(new MakeChild(name), TestActor);
        return ExpectMsg<IActorRef>();
    }

    [Fact]
    public void Self_Sender_Parent_System_and_Props_are_visible_to_the_actor()
    {
        var parent = NewParent();
        var child = Make(parent, "kid");
        child.Path.ToStringWithoutAddress().Should().Be("/user/parent/kid");

        child.Tell("self", TestActor);
        ExpectMsg<IActorRef>().Should().Be(child);
        child.Tell("parent", TestActor);
        ExpectMsg<IActorRef>().Should().Be(parent);
        child.Tell("sender", TestActor);
        ExpectMsg<IActorRef>().Should().Be(TestActor);
        child.Tell("system", TestActor);
        ExpectMsg(Sys.Name);
        child.Tell("props", TestActor);
        ExpectMsg(nameof(Child));
    }

    [Fact]
    public void Top_level_actors_have_the_user_guardian_as_parent()
    {
        var a = Sys.ActorOf(Props.Create(() => new Child(TestActor)), "top");
        a.Tell("parent", TestActor);
        var guardian = ExpectMsg<IActorRef>();
        guardian.Path.ToStringWithoutAddress().Should().Be("/user");
        guardian.Path.Address.Should().Be(Address.Local(Sys.Name));
    }

    [Fact]
    public void Children_and_Child_by_name()
    {
        var parent = NewParent();
        var a = Make(parent, "a");
        var b = Make(parent, "b");
        parent.Tell("children", TestActor);
        ExpectMsg<Names>().Children.Should().Equal("a", "b");
        parent.Tell("child b", TestActor);
        ExpectMsg<IActorRef>().Should().Be(b);
        parent.Tell("child zz", TestActor);
        ExpectMsg("none");
        a.Should().NotBe(b);
    }

    [Fact]
    public void Anonymous_children_get_distinct_dollar_names()
    {
        var parent = NewParent();
        var names = Enumerable.Range(0, 5).Select(_ => Make(parent, null).Path.Name).ToList();
        names.Should().OnlyContain(n => n.StartsWith('$'));
        names.Should().OnlyHaveUniqueItems();
        Sys.ActorOf(Props.Create<EchoActor>()).Path.Name.Should().StartWith("$");
    }

    [Fact]
    public void A_duplicate_name_is_refused_with_InvalidActorNameException()
    {
        var parent = NewParent();
        Make(parent, "same");
        parent.Tell(new MakeChild("same"), TestActor);
        ExpectMsg<Status.Failure>().Cause.Should().BeOfType<InvalidActorNameException>()
            .Which.Message.Should().Contain("same");

        Sys.ActorOf(Props.Create<EchoActor>(), "top");
        var act = () => Sys.ActorOf(Props.Create<EchoActor>(), "top");
        act.Should().Throw<InvalidActorNameException>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("$reserved")]
    [InlineData("a/b")]
    [InlineData("with space")]
    [InlineData("hash#uid")]
    [InlineData("ümlaut")]
    public void Invalid_names_are_refused(string name)
    {
        var act = () => Sys.ActorOf(Props.Create<EchoActor>(), name);
        act.Should().Throw<InvalidActorNameException>();
        var parent = NewParent();
        parent.Tell(new MakeChild(name), TestActor);
        ExpectMsg<Status.Failure>().Cause.Should().BeOfType<InvalidActorNameException>();
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("with-dash_and.dot")]
    [InlineData("a:b@c&d=e,f!g~h'i;j(k)l%m+n*o$p")]
    public void Valid_names_are_accepted(string name)
    {
        Sys.ActorOf(Props.Create<EchoActor>(), name).Path.Name.Should().Be(name);
    }

    [Fact]
    public void Stopping_a_child_removes_it_and_frees_its_name()
    {
        var parent = NewParent();
        Make(parent, "c");
        parent.Tell("watch c", TestActor);
        ExpectMsg("watching");
        parent.Tell(new StopChild("c"), TestActor);
        ExpectMsg("terminated c");
        parent.Tell("children", TestActor);
        ExpectMsg<Names>().Children.Should().BeEmpty();
        Make(parent, "c").Path.Name.Should().Be("c"); // the name is free once the parent processed the termination
    }

    [Fact]
    public void An_actor_can_stop_itself_and_PostStop_runs()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(string));
        var parent = NewParent();
        var c = Make(parent, "self-stopper");
        Watch(c);
        c.Tell("stop yourself");
        FishForMessage<string>(s => s == "poststop self-stopper");
        FishForMessage<Terminated>(t => t.ActorRef.Equals(c));
    }

    [Fact]
    public void PoisonPill_stops_after_the_messages_before_it()
    {
        var c = Sys.ActorOf(Props.Create(() => new Child(TestActor)));
        Watch(c);
        c.Tell(1);
        c.Tell(2);
        c.Tell(PoisonPill.Instance);
        c.Tell(3);
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectTerminated(c);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Stopping_a_parent_stops_its_children_first()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(string));
        var parent = NewParent();
        var c = Make(parent, "kid");
        Watch(parent);
        Sys.Stop(parent);
        FishForMessage<string>(s => s == "poststop kid");
        FishForMessage<Terminated>(t => t.ActorRef.Equals(parent));
        var probe = CreateTestProbe();
        probe.Watch(c);
        probe.ExpectTerminated(c);
    }
}
