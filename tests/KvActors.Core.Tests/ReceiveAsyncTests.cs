using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class ReceiveAsyncTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed record Reply(string Text, IActorRef Self, IActorRef? Sender, bool InsideActor);

    private sealed class AsyncActor : ReceiveActor
    {
        public AsyncActor(Task release, IActorRef probe)
        {
            ReceiveAsync<string>(async s =>
            {
                probe.Tell("started " + s);
                await release;
                // After the await: still inside the actor, with the original sender.
                Sender!.Tell(new Reply("done " + s, Self, Sender, KvActors.Actor.Internal.ActorCell.Current?.Self.Equals(Self) == true), Self);
            }, s => s.StartsWith("wait", StringComparison.Ordinal));
            Receive<int>(i => probe.Tell(i));
        }

    }

    private sealed class Restartable : ReceiveActor
    {
        public Restartable(Task release, IActorRef probe)
        {
            var handled = 0;
            ReceiveAsync<string>(async _ =>
            {
                await release;
                throw new InvalidOperationException("async boom");
            });
            Receive<int>(i => probe.Tell($"{i} after {handled++}"));
        }
    }

    [Fact]
    public void An_async_handler_holds_back_later_messages_until_its_task_completes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asker = CreateTestProbe("asker");
        var a = Sys.ActorOf(Props.Create(() => new AsyncActor(release.Task, TestActor)), "async");
        a.Tell("wait-1", asker.Ref);
        ExpectMsg("started wait-1");
        a.Tell(1, TestActor);
        a.Tell(2, TestActor);
        a.Tell("wait-2", asker.Ref);
        a.Tell(3, TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // queued behind the running handler

        release.SetResult();
        var reply = asker.ExpectMsg<Reply>();
        reply.Text.Should().Be("done wait-1");
        reply.Self.Should().Be(a);
        reply.Sender.Should().Be(asker.Ref);
        reply.InsideActor.Should().BeTrue();
        asker.LastSender.Should().Be(a);

        ExpectMsg(1);
        ExpectMsg(2);
        ExpectMsg("started wait-2"); // the task is already complete: runs straight through
        ExpectMsg(3);
        asker.ExpectMsg<Reply>().Text.Should().Be("done wait-2");
    }

    [Fact]
    public void A_synchronously_completed_async_handler_does_not_hold_the_mailbox()
    {
        var a = Sys.ActorOf(Props.Create(() => new AsyncActor(Task.CompletedTask, TestActor)));
        a.Tell("wait", TestActor);
        ExpectMsg("started wait");
        ExpectMsg<Reply>().Sender.Should().Be(TestActor);
        a.Tell(1, TestActor);
        ExpectMsg(1);
    }

    [Fact]
    public void A_faulted_async_handler_fails_the_actor_like_a_throw_and_it_restarts()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Sys.ActorOf(Props.Create(() => new Restartable(release.Task, TestActor)));
        a.Tell(1);
        ExpectMsg("1 after 0");
        a.Tell("go");
        a.Tell(2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        release.SetResult();
        ExpectMsg("2 after 0"); // a fresh instance (state reset) takes the next message
        Logs.Matching(Microsoft.Extensions.Logging.LogLevel.Error, "async boom").Should().NotBeEmpty();
    }

    [Fact]
    public void An_actor_awaiting_in_a_handler_can_still_be_stopped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Sys.ActorOf(Props.Create(() => new AsyncActor(release.Task, TestActor)));
        Watch(a);
        a.Tell("wait", TestActor);
        ExpectMsg("started wait");
        Sys.Stop(a);
        ExpectTerminated(a);
        release.SetResult(); // the rest of the handler must not run in the stopped actor
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
