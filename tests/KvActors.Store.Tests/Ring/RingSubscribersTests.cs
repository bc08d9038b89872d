using KvActors.Store.Ring;

namespace KvActors.Store.Tests.Ring;

/// <summary>The keeper's subscriber table: leases, renewal, lapse, the cap.</summary>
public sealed class RingSubscribersTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void A_subscription_lasts_its_lease_and_a_renewal_extends_it()
    {
        var subscribers = new RingSubscribers<string>();
        subscribers.Subscribe("a", S(30), now: S(0));
        subscribers.Subscribe("b", S(10), now: S(0));

        subscribers.Live(S(9.9)).Should().BeEquivalentTo(["a", "b"]);
        subscribers.Live(S(10)).Should().BeEquivalentTo(["a"], "b's lease ran out and it did not renew");
        subscribers.Count.Should().Be(1, "a lapsed subscriber is forgotten");

        subscribers.Subscribe("a", S(30), now: S(25));
        subscribers.Live(S(50)).Should().BeEquivalentTo(["a"], "renewed at 25 s until 55 s");
        subscribers.Live(S(55)).Should().BeEmpty();
    }

    [Fact]
    public void A_zero_lease_ends_a_subscription_and_a_long_one_is_capped()
    {
        var subscribers = new RingSubscribers<string>();
        subscribers.Subscribe("a", S(30), now: S(0));
        subscribers.Subscribe("a", TimeSpan.Zero, now: S(1));
        subscribers.Live(S(1)).Should().BeEmpty();

        subscribers.Subscribe("b", TimeSpan.FromDays(365), now: S(0));
        subscribers.Live(RingSubscribers.MaxLease - S(1)).Should().BeEquivalentTo(["b"]);
        subscribers.Live(RingSubscribers.MaxLease).Should().BeEmpty("a client that vanished is pushed to for MaxLease at most");
    }

    [Fact]
    public void Past_its_capacity_the_table_drops_the_subscriber_due_to_lapse_first()
    {
        var subscribers = new RingSubscribers<string>(capacity: 2);
        subscribers.Subscribe("a", S(30), now: S(0));
        subscribers.Subscribe("b", S(20), now: S(0));
        subscribers.Subscribe("a", S(30), now: S(1)); // a renewal takes no new place
        subscribers.Count.Should().Be(2);

        subscribers.Subscribe("c", S(30), now: S(2));

        subscribers.Live(S(2)).Should().BeEquivalentTo(["a", "c"], "b was due to lapse first");
        var bad = () => new RingSubscribers<string>(capacity: 0);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The capacity must be positive.*");
    }
}
