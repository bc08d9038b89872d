using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class AskTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed class Replier : ReceiveActor
    {
        public Replier()
        {
            Receive<string>(s => s == "fail", _ => Sender!.Tell(new Status.Failure(new InvalidOperationException("no way"))));
            Receive<string>(s => s == "number", _ => Sender!.Tell(42));
            Receive<string>(s => s == "twice", _ => { Sender!.Tell("one"); Sender!.Tell("two"); });
            Receive<string>(s => s == "silence", _ => { });
            Receive<string>(s => Sender!.Tell("re: " + s));
            Receive<Task<int>>(t => t.PipeTo(Sender!, Self));
        }
    }

    private IActorRef NewReplier(string name = "replier") => Sys.ActorOf(Props.Create<Replier>(), name);

    [Fact]
    public async Task Ask_completes_with_the_reply()
    {
        var r = NewReplier();
        (await r.Ask<string>("hi", TimeSpan.FromSeconds(5))).Should().Be("re: hi");
        (await r.Ask("hi", TimeSpan.FromSeconds(5))).Should().Be("re: hi");
    }

    [Fact]
    public async Task The_first_reply_wins()
    {
        var r = NewReplier();
        (await r.Ask<string>("twice", TimeSpan.FromSeconds(5))).Should().Be("one");
    }

    [Fact]
    public async Task A_Status_Failure_reply_faults_the_task_with_its_cause()
    {
        var r = NewReplier();
        var act = () => r.Ask<string>("fail", TimeSpan.FromSeconds(5));
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("no way");
    }

    [Fact]
    public async Task No_reply_in_time_is_an_AskTimeoutException_naming_the_target_and_the_timeout()
    {
        var r = NewReplier("quiet");
        var act = () => r.Ask<string>("silence", TimeSpan.FromMilliseconds(200));
        var e = (await act.Should().ThrowAsync<AskTimeoutException>()).Which;
        e.Message.Should().Contain(r.Path.ToString()).And.Contain("200 ms");
        e.Should().BeAssignableTo<TimeoutException>();
    }

    [Fact]
    public async Task A_reply_of_the_wrong_type_faults_the_task()
    {
        var r = NewReplier();
        var act = () => r.Ask<string>("number", TimeSpan.FromSeconds(5));
        (await act.Should().ThrowAsync<InvalidCastException>()).Which.Message.Should().Contain("Int32");
    }

    [Fact]
    public async Task A_cancelled_token_cancels_the_ask()
    {
        var r = NewReplier();
        using var cts = new CancellationTokenSource();
        var task = r.Ask<string>("silence", TimeSpan.FromSeconds(30), cts.Token);
        task.IsCompleted.Should().BeFalse();
        cts.Cancel();
        var act = () => task;
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task An_already_cancelled_token_cancels_at_once()
    {
        var r = NewReplier();
        var act = () => r.Ask<string>("silence", TimeSpan.FromSeconds(30), new CancellationToken(true));
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Ask_uses_the_configured_default_timeout_when_given_none()
    {
        using var sys = ActorSystem.Create("asktimeout", Hocon.Config.Parse("kvactors.actor.ask-timeout = 150ms"));
        var quiet = sys.ActorOf(Props.Create<SilentActor>());
        var act = () => quiet.Ask<string>("x");
        (await act.Should().ThrowAsync<AskTimeoutException>()).Which.Message.Should().Contain("150 ms");
    }

    [Fact]
    public async Task Ask_of_a_dead_actor_times_out()
    {
        var r = NewReplier();
        Watch(r);
        Sys.Stop(r);
        ExpectTerminated(r);
        var act = () => r.Ask<string>("hi", TimeSpan.FromMilliseconds(100));
        await act.Should().ThrowAsync<AskTimeoutException>();
    }

    [Fact]
    public void PipeTo_sends_the_result_or_a_Status_Failure()
    {
        var ok = new TaskCompletionSource<int>();
        var bad = new TaskCompletionSource<int>();
        var sender = CreateTestProbe();
        ok.Task.PipeTo(TestActor, sender.Ref);
        bad.Task.PipeTo(TestActor);
        ok.SetResult(7);
        ExpectMsg(7);
        LastSender.Should().Be(sender.Ref);
        bad.SetException(new InvalidOperationException("broken"));
        ExpectMsg<Status.Failure>().Cause.Message.Should().Be("broken");
    }

    [Fact]
    public void PipeTo_maps_success_and_failure()
    {
        var ok = new TaskCompletionSource<int>();
        var bad = new TaskCompletionSource<int>();
        ok.Task.PipeTo(TestActor, success: i => $"got {i}");
        bad.Task.PipeTo(TestActor, failure: e => $"failed {e.Message}");
        ok.SetResult(1);
        ExpectMsg("got 1");
        bad.SetException(new InvalidOperationException("x"));
        ExpectMsg("failed x");
    }

    [Fact]
    public async Task PipeTo_inside_an_actor_answers_an_Ask()
    {
        var r = NewReplier();
        (await r.Ask<int>(Task.FromResult(5), TimeSpan.FromSeconds(5))).Should().Be(5);
        var failing = Task.FromException<int>(new ArgumentException("nope"));
        var act = () => r.Ask<int>(failing, TimeSpan.FromSeconds(5));
        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Ask_works_on_an_ActorSelection()
    {
        NewReplier("sel");
        (await Sys.ActorSelection("/user/sel").Ask<string>("hi", TimeSpan.FromSeconds(5))).Should().Be("re: hi");
        var act = () => Sys.ActorSelection("/user/missing").Ask<string>("hi", TimeSpan.FromMilliseconds(200));
        await act.Should().ThrowAsync<AskTimeoutException>();
    }

    [Fact]
    public async Task Ask_on_something_outside_any_system_fails()
    {
        var act = () => new RecordingRef("x").Ask<string>("hi", TimeSpan.FromSeconds(1));
        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Many_concurrent_asks_each_get_their_own_reply()
    {
        var r = NewReplier();
        var tasks = Enumerable.Range(0, 2000).Select(i => r.Ask<string>(i.ToString(), TimeSpan.FromSeconds(20))).ToArray();
        var replies = await Task.WhenAll(tasks);
        replies.Should().Equal(Enumerable.Range(0, 2000).Select(i => "re: " + i));
    }
}
