using KvActors.Actor;
using KvActors.Actor.Internal;
using KvActors.Event;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class ActorSelectionTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed class Named : ReceiveActor
    {
        public Named(string[] children)
        {
            foreach (var c in children) Context.ActorOf(Props.Create(() => new Named([])), c);
            Receive<string>(s => Sender!.Tell($"{Self.Path.Name}: {s}", Self));
        }
    }

    private IActorRef Tree()
    {
        var a = Sys.ActorOf(Props.Create(() => new Named(["b", "c", "bx"])), "a");
        return a;
    }

    [Fact]
    public void An_absolute_path_reaches_the_actor()
    {
        Tree();
        Sys.ActorSelection("/user/a/b").Tell("hi", TestActor);
        ExpectMsg("b: hi");
        LastSender!.Path.ToStringWithoutAddress().Should().Be("/user/a/b");
        Sys.ActorSelection("user/a").Tell("hi", TestActor);
        ExpectMsg("a: hi");
    }

    [Fact]
    public void A_full_address_path_reaches_the_actor()
    {
        Tree();
        Sys.ActorSelection($"{Sys.Provider.DefaultAddress}/user/a/c").Tell("hi", TestActor);
        ExpectMsg("c: hi");
    }

    [Fact]
    public void Wildcards_reach_every_matching_child()
    {
        Tree();
        Sys.ActorSelection("/user/a/*").Tell("all", TestActor);
        ReceiveN(3).Cast<string>().Should().BeEquivalentTo("b: all", "c: all", "bx: all");
        Sys.ActorSelection("/user/a/b*").Tell("bs", TestActor);
        ReceiveN(2).Cast<string>().Should().BeEquivalentTo("b: bs", "bx: bs");
        Sys.ActorSelection("/user/a/?").Tell("one", TestActor);
        ReceiveN(2).Cast<string>().Should().BeEquivalentTo("b: one", "c: one");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Dot_dot_goes_to_the_parent()
    {
        Tree();
        Sys.ActorSelection("/user/a/b/../c").Tell("up", TestActor);
        ExpectMsg("c: up");
        Sys.ActorSelection("/user/a/b/..").Tell("up", TestActor);
        ExpectMsg("a: up");
    }

    [Fact]
    public void Identify_answers_with_the_actor_or_null()
    {
        var a = Tree();
        Sys.ActorSelection("/user/a").Tell(new Identify(1), TestActor);
        ExpectMsg<ActorIdentity>().Should().Be(new ActorIdentity(1, a));
        Sys.ActorSelection("/user/a/nope").Tell(new Identify(2), TestActor);
        ExpectMsg<ActorIdentity>().Should().Be(new ActorIdentity(2, null));
        Sys.ActorSelection("/user/nope/deeper").Tell(new Identify(3), TestActor);
        ExpectMsg<ActorIdentity>().Should().Be(new ActorIdentity(3, null));
        a.Tell(new Identify("direct"), TestActor);
        ExpectMsg<ActorIdentity>().Subject.Should().Be(a);
    }

    [Fact]
    public async Task ResolveOne_finds_the_actor_or_throws_ActorNotFoundException()
    {
        var a = Tree();
        (await Sys.ActorSelection("/user/a").ResolveOne(TimeSpan.FromSeconds(5))).Should().Be(a);
        var act = () => Sys.ActorSelection("/user/a/missing").ResolveOne(TimeSpan.FromSeconds(5));
        (await act.Should().ThrowAsync<ActorNotFoundException>()).Which.Message.Should().Contain("/user/a/missing");
    }

    [Fact]
    public void A_selection_of_nothing_dead_letters_the_message()
    {
        var dead = CreateTestProbe();
        Sys.EventStream.Subscribe(dead.Ref, typeof(DeadLetter));
        Tree();
        Sys.ActorSelection("/user/a/missing").Tell("lost", TestActor);
        dead.ExpectMsg<DeadLetter>().Message.Should().Be("lost");
    }

    [Fact]
    public void ResolveActorRef_by_path_string_finds_the_live_actor()
    {
        var a = Tree();
        a.Tell(new Identify(null), TestActor); // a makes its children in its constructor: wait for it
        ExpectMsg<ActorIdentity>();
        Sys.Provider.ResolveActorRef(a.Path.ToString()).Should().Be(a);
        Sys.Provider.ResolveActorRef(a.Path.ToSerializationFormat()).Should().Be(a);
        var b = Sys.Provider.ResolveActorRef(a.Path.ToString() + "/b");
        b.Tell("hi", TestActor);
        ExpectMsg("b: hi");
        Sys.Provider.ResolveActorRef("not a path").Should().Be(Sys.DeadLetters);
        Sys.Provider.ResolveActorRef(Sys.Provider.RootPath.ToString()).Should().Be(Sys.Provider.RootGuardian);
    }

    [Fact]
    public void ResolveActorRef_with_an_old_uid_does_not_reach_a_new_incarnation()
    {
        var old = Sys.ActorOf(Props.Create(() => new Named([])), "reborn");
        var oldPath = old.Path.ToSerializationFormat();
        Watch(old);
        Sys.Stop(old);
        ExpectTerminated(old);
        AwaitAssert(() => Sys.ActorOf(Props.Create(() => new Named([])), "reborn"));
        var fresh = Sys.Provider.ResolveActorRef(old.Path.ToString()); // no uid: whoever lives there now
        fresh.Path.Uid.Should().NotBe(old.Path.Uid);

        var resolved = Sys.Provider.ResolveActorRef(oldPath);
        resolved.Should().NotBe(fresh);
        resolved.Should().BeOfType<EmptyLocalActorRef>();
        resolved.IsTerminated.Should().BeTrue();
        resolved.Tell("for the old one", TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
