using KvActors.Actor;
using KvActors.Dispatch;
using KvActors.Event;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class TellAndOrderingTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed record Numbered(int SenderId, int Seq);
    private sealed record Summary(int Received, int Violations);

    /// <summary>Checks that each sender's sequence numbers arrive as 1, 2, 3, ... and reports when all arrived.</summary>
    private sealed class OrderChecker : ReceiveActor
    {
        public OrderChecker(int expectedTotal, IActorRef report)
        {
            var last = new Dictionary<int, int>();
            int received = 0, violations = 0;
            Receive<Numbered>(n =>
            {
                var previous = last.GetValueOrDefault(n.SenderId);
                if (n.Seq != previous + 1) violations++;
                last[n.SenderId] = n.Seq;
                if (++received == expectedTotal) report.Tell(new Summary(received, violations));
            });
        }
    }

    private sealed class NumberSender : ReceiveActor
    {
        public NumberSender(int id, int count, IActorRef target) =>
            Receive<string>(_ =>
            {
                for (var i = 1; i <= count; i++) target.Tell(new Numbered(id, i));
            });
    }

    /// <summary>Blocks in its first message until the test opens the gate; counts the rest.</summary>
    private sealed class GatedCounter : ReceiveActor
    {
        public GatedCounter(ManualResetEventSlim entered, ManualResetEventSlim gate)
        {
            var count = 0;
            Receive<string>(s => s == "block", _ =>
            {
                entered.Set();
                gate.Wait(TestKitSettings.Dilated(TimeSpan.FromSeconds(30)));
            });
            Receive<string>(s => s == "count", _ => Sender!.Tell(count));
            Receive<int>(_ => count++);
        }
    }

    [Fact]
    public void Tell_delivers_with_the_given_sender()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        var other = CreateTestProbe();
        echo.Tell("hi", other.Ref);
        other.ExpectMsg("hi");
        other.LastSender.Should().Be(echo);
    }

    [Fact]
    public void Tell_without_sender_outside_an_actor_has_no_sender()
    {
        var fwd = Sys.ActorOf(Props.Create(() => new ForwardActor(TestActor)));
        fwd.Tell("x");
        ExpectMsg("x");
        LastSender.Should().BeNull();
    }

    [Fact]
    public void Forward_keeps_the_original_sender()
    {
        var original = CreateTestProbe("original");
        var second = Sys.ActorOf(Props.Create(() => new ForwardActor(TestActor)), "second");
        var first = Sys.ActorOf(Props.Create(() => new ForwardActor(second)), "first");
        first.Tell("m", original.Ref);
        ExpectMsg("m");
        LastSender.Should().Be(original.Ref);
    }

    [Fact]
    public void Forward_outside_an_actor_is_refused()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        var act = () => echo.Forward("x");
        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Each_threads_messages_arrive_in_order_under_concurrent_senders()
    {
        const int threads = 4, perThread = 5_000;
        var checker = Sys.ActorOf(Props.Create(() => new OrderChecker(threads * perThread, TestActor)));
        using var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(1, threads).Select(id => Task.Factory.StartNew(() =>
        {
            start.Wait();
            for (var i = 1; i <= perThread; i++) checker.Tell(new Numbered(id, i), null);
        }, TaskCreationOptions.LongRunning)).ToArray();
        start.Set();
        Awaiting.Completes(Task.WhenAll(workers), TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
        var summary = ExpectMsg<Summary>(timeout: TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
        summary.Should().Be(new Summary(threads * perThread, 0));
    }

    [Fact]
    public void Each_actors_messages_arrive_in_order_under_concurrent_sending_actors()
    {
        const int senders = 6, perSender = 2_000;
        var checker = Sys.ActorOf(Props.Create(() => new OrderChecker(senders * perSender, TestActor)));
        var actors = Enumerable.Range(1, senders)
            .Select(id => Sys.ActorOf(Props.Create(() => new NumberSender(id, perSender, checker))))
            .ToList();
        foreach (var a in actors) a.Tell("go");
        var summary = ExpectMsg<Summary>(timeout: TestKitSettings.Dilated(TimeSpan.FromSeconds(20)));
        summary.Should().Be(new Summary(senders * perSender, 0));
    }

    [Fact]
    public void Tell_never_blocks_while_the_receiver_is_busy_and_unbounded_keeps_every_message()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var openAtEnd = new OpenOnDispose(gate);
        var dropped = CreateTestProbe();
        Sys.EventStream.Subscribe(dropped.Ref, typeof(Dropped));
        var counter = Sys.ActorOf(Props.Create(() => new GatedCounter(entered, gate)));
        counter.Tell("block");
        entered.Wait(TestKitSettings.DefaultTimeout).Should().BeTrue();

        // The receiver is stuck in its handler: all these Tells must return at once.
        const int n = 50_000;
        var sending = Task.Run(() => { for (var i = 0; i < n; i++) counter.Tell(i); });
        Awaiting.Completes(sending, TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));

        gate.Set();
        AwaitAssert(() => Awaiting.Result(counter.Ask<int>("count", TestKitSettings.DefaultTimeout)).Should().Be(n));
        dropped.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Bounded_mailbox_overflow_goes_to_dead_letters_as_Dropped_and_Tell_does_not_block()
    {
        const int capacity = 10, sent = 100;
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var openAtEnd = new OpenOnDispose(gate);
        var dropped = CreateTestProbe();
        Sys.EventStream.Subscribe(dropped.Ref, typeof(Dropped));
        var counter = Sys.ActorOf(Props.Create(() => new GatedCounter(entered, gate)).WithMailbox(MailboxType.Bounded(capacity)));
        counter.Tell("block");
        entered.Wait(TestKitSettings.DefaultTimeout).Should().BeTrue(); // the mailbox is empty again

        for (var i = 0; i < sent; i++) counter.Tell(i, TestActor);

        var drops = dropped.ReceiveN(sent - capacity).Cast<Dropped>().ToList();
        drops.Select(d => (int)d.Message).Should().Equal(Enumerable.Range(capacity, sent - capacity));
        drops.Should().OnlyContain(d => d.Recipient.Equals(counter) && TestActor.Equals(d.Sender));
        dropped.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        gate.Set();
        // "count" itself must fit: the ten queued ints drain first, so poll until it gets through.
        AwaitAssert(() => Awaiting.Result(counter.Ask<int>("count", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(2)).Should().Be(capacity));
    }

    [Fact]
    public void MailboxType_bounded_needs_a_positive_capacity()
    {
        MailboxType.Unbounded.IsBounded.Should().BeFalse();
        MailboxType.Bounded(3).IsBounded.Should().BeTrue();
        var act = () => MailboxType.Bounded(0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Tell_with_a_null_message_is_refused()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        var act = () => echo.Tell(null!, TestActor);
        act.Should().Throw<ArgumentNullException>();
    }
}
