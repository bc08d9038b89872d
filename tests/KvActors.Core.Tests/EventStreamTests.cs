using KvActors.Actor;
using KvActors.Event;
using KvActors.TestKit;
using Xunit.Abstractions;

namespace KvActors.Core.Tests;

public sealed class EventStreamTests(ITestOutputHelper output) : TestKitBase(output)
{
    private abstract record Animal(string Name);
    private sealed record Dog(string Name) : Animal(Name);
    private sealed record Cat(string Name) : Animal(Name);
    private interface IMarker;
    private sealed record Marked(int N) : IMarker;

    [Fact]
    public void Subscribers_get_events_of_their_type()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Dog)).Should().BeTrue();
        Sys.EventStream.Publish(new Cat("tom"));
        Sys.EventStream.Publish(new Dog("rex"));
        ExpectMsg(new Dog("rex"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Subscribing_to_a_base_type_or_interface_gets_subtypes()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Animal));
        var p = CreateTestProbe();
        Sys.EventStream.Subscribe(p.Ref, typeof(IMarker));
        Sys.EventStream.Publish(new Cat("tom"));
        Sys.EventStream.Publish(new Dog("rex"));
        Sys.EventStream.Publish(new Marked(1));
        ExpectMsg(new Cat("tom"));
        ExpectMsg(new Dog("rex"));
        p.ExpectMsg(new Marked(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Overlapping_subscriptions_deliver_each_event_once()
    {
        var r = new RecordingRef("overlap");
        Sys.EventStream.Subscribe(r, typeof(object));
        Sys.EventStream.Subscribe(r, typeof(Animal));
        Sys.EventStream.Subscribe(r, typeof(Dog));
        Sys.EventStream.Subscribe(r, typeof(Dog)).Should().BeFalse(); // already there
        Sys.EventStream.Publish(new Dog("rex"));
        r.Messages.OfType<Dog>().Should().ContainSingle();
    }

    [Fact]
    public void Unsubscribe_from_one_channel_or_all()
    {
        var r = new RecordingRef("unsub");
        Sys.EventStream.Subscribe(r, typeof(Dog));
        Sys.EventStream.Subscribe(r, typeof(Cat));
        Sys.EventStream.Unsubscribe(r, typeof(Dog)).Should().BeTrue();
        Sys.EventStream.Unsubscribe(r, typeof(Dog)).Should().BeFalse();
        Sys.EventStream.Publish(new Dog("rex"));
        Sys.EventStream.Publish(new Cat("tom"));
        r.Messages.Should().Equal(new Cat("tom"));
        Sys.EventStream.Unsubscribe(r);
        Sys.EventStream.Publish(new Cat("felix"));
        r.Messages.Should().HaveCount(1);
    }

    [Fact]
    public void Unsubscribing_a_base_type_keeps_a_subtype_subscription()
    {
        var r = new RecordingRef("keep");
        Sys.EventStream.Subscribe(r, typeof(Animal));
        Sys.EventStream.Subscribe(r, typeof(Dog));
        Sys.EventStream.Publish(new Dog("a")); // fills the cache for Dog
        Sys.EventStream.Unsubscribe(r, typeof(Animal));
        Sys.EventStream.Publish(new Dog("b"));
        Sys.EventStream.Publish(new Cat("c"));
        r.Messages.Should().Equal(new Dog("a"), new Dog("b"));
    }

    [Fact]
    public void A_subscriber_that_stops_is_unsubscribed_automatically()
    {
        var subscriber = Sys.ActorOf(Props.Create<SilentActor>());
        Sys.EventStream.Subscribe(subscriber, typeof(Dog));
        var dead = new RecordingRef("dead");
        Sys.EventStream.Subscribe(dead, typeof(DeadLetter));
        Watch(subscriber);
        Sys.Stop(subscriber);
        ExpectTerminated(subscriber);
        // While still subscribed, a publish reaches the stopped actor and comes back (synchronously)
        // as a dead letter. Once the stream has dropped it, a publish makes no dead letter.
        AwaitCondition(() =>
        {
            dead.Clear();
            Sys.EventStream.Publish(new Dog("probe"));
            return !dead.Messages.OfType<DeadLetter>().Any(d => d.Message is Dog);
        });
    }

    [Fact]
    public void Subscribe_and_unsubscribe_take_effect_at_once_despite_concurrent_publishing()
    {
        using var stop = new CancellationTokenSource();
        var publisher = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested) Sys.EventStream.Publish(new Cat("noise"));
        }, TaskCreationOptions.LongRunning);
        try
        {
            for (var i = 0; i < 3000; i++)
            {
                var r = new RecordingRef($"r{i}");
                Sys.EventStream.Subscribe(r, typeof(Cat));
                Sys.EventStream.Publish(new Cat("mine"));
                r.Messages.Should().Contain(new Cat("mine"), $"the subscription made before publish {i} must be seen");
                Sys.EventStream.Unsubscribe(r, typeof(Cat));
                r.Clear();
                Sys.EventStream.Publish(new Cat("after"));
                r.Messages.Should().NotContain(new Cat("after"), $"the subscription removed before publish {i} must be gone");
            }
        }
        finally
        {
            stop.Cancel();
            Awaiting.Completes(publisher);
        }
    }

    [Fact]
    public void A_message_to_a_stopped_actor_is_published_as_a_DeadLetter()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        var a = Sys.ActorOf(Props.Create<EchoActor>());
        var watcher = CreateTestProbe();
        watcher.Watch(a);
        Sys.Stop(a);
        watcher.ExpectTerminated(a);
        var sender = CreateTestProbe();
        a.Tell("too late", sender.Ref);
        var d = FishForMessage<DeadLetter>(x => "too late".Equals(x.Message));
        d.Sender.Should().Be(sender.Ref);
        d.Recipient.Should().Be(a);
        d.ToString().Should().Contain("String").And.Contain(a.Path.ToString());
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        var act1 = () => Sys.EventStream.Publish(null!);
        var act2 = () => Sys.EventStream.Subscribe(null!, typeof(Dog));
        act1.Should().Throw<ArgumentNullException>();
        act2.Should().Throw<ArgumentNullException>();
    }
}
