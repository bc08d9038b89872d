using System.Diagnostics;
using KvActors.Actor;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class ReceiveTimeoutTests(ITestOutputHelper output) : TestKitBase(output)
{
    private sealed record TimedOut(long MsSinceLastMessage, int MessagesBefore);

    private sealed class Idle : ReceiveActor
    {
        public Idle(TimeSpan timeout, IActorRef probe, bool clearOnFirst)
        {
            var sinceLast = Stopwatch.StartNew();
            var messages = 0;
            Context.SetReceiveTimeout(timeout);
            Receive<ReceiveTimeout>(_ =>
            {
                probe.Tell(new TimedOut(sinceLast.ElapsedMilliseconds, messages));
                if (clearOnFirst) Context.SetReceiveTimeout(null);
            });
            Receive<string>(s => s == "get", _ => Sender!.Tell(Context.ReceiveTimeout?.TotalMilliseconds ?? -1.0));
            Receive<string>(s => s == "clear", _ => { Context.SetReceiveTimeout(null); Sender!.Tell("cleared"); });
            Receive<string>(_ =>
            {
                messages++;
                sinceLast.Restart();
            });
        }
    }

    [Fact]
    public void ReceiveTimeout_arrives_after_idle_time_and_repeats_while_idle()
    {
        var timeout = TimeSpan.FromMilliseconds(100);
        Sys.ActorOf(Props.Create(() => new Idle(timeout, TestActor, false)));
        ExpectMsg<TimedOut>().MsSinceLastMessage.Should().BeGreaterThanOrEqualTo(98);
        ExpectMsg<TimedOut>(); // still idle: it comes again
    }

    [Fact]
    public void Setting_null_clears_the_receive_timeout()
    {
        var a = Sys.ActorOf(Props.Create(() => new Idle(TimeSpan.FromMilliseconds(100), TestActor, true)));
        ExpectMsg<TimedOut>();
        ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        a.Tell("get", TestActor);
        ExpectMsg(-1.0);
    }

    [Fact]
    public void Clearing_before_it_fires_means_it_never_fires()
    {
        var a = Sys.ActorOf(Props.Create(() => new Idle(TimeSpan.FromMilliseconds(300), TestActor, false)));
        a.Tell("clear", TestActor);
        ExpectMsg("cleared");
        ExpectNoMsg(TimeSpan.FromMilliseconds(700));
    }

    [Fact]
    public void Messages_reset_the_idle_clock()
    {
        // Twenty keep-alives 30 ms apart against a 300 ms timeout. However loaded the machine,
        // a ReceiveTimeout must never come sooner than 300 ms after the last message; without
        // the reset the first one would come 300 ms after the start, amid the keep-alives.
        var timeout = TimeSpan.FromMilliseconds(300);
        var a = Sys.ActorOf(Props.Create(() => new Idle(timeout, TestActor, false)));
        for (var i = 1; i <= 20; i++)
            Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(30 * i), a, "keep-alive", null);
        while (true)
        {
            var t = ExpectMsg<TimedOut>(timeout: TestKitSettings.Dilated(TimeSpan.FromSeconds(10)));
            t.MsSinceLastMessage.Should().BeGreaterThanOrEqualTo((long)timeout.TotalMilliseconds - 2);
            if (t.MessagesBefore == 20) break;
        }
    }
}
