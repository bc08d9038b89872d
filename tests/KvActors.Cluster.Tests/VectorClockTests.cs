using FsCheck;
using FsCheck.Fluent;

namespace KvActors.Cluster.Tests;

public sealed class VectorClockTests
{
    private static readonly Gen<VectorClock> Clocks =
        Gen.ListOf(Gen.Choose(0, 4)).Select(nodes => nodes.Aggregate(VectorClock.Empty, (c, n) => c.Increment("n" + n)));

    private static readonly Arbitrary<(VectorClock, VectorClock, VectorClock)> Triples =
        Arb.From(Gen.Zip(Clocks, Gen.Zip(Clocks, Clocks)).Select(t => (t.Item1, t.Item2.Item1, t.Item2.Item2)));

    [Fact]
    public void Basic_ordering()
    {
        var a = VectorClock.Empty.Increment("a");
        var ab = a.Increment("b");
        var ac = a.Increment("c");
        VectorClock.Empty.Compare(VectorClock.Empty).Should().Be(VectorClock.Ordering.Same);
        a.Compare(ab).Should().Be(VectorClock.Ordering.Before);
        ab.Compare(a).Should().Be(VectorClock.Ordering.After);
        ab.Compare(ac).Should().Be(VectorClock.Ordering.Concurrent);
        ab.Merge(ac).Compare(ab).Should().Be(VectorClock.Ordering.After);
        ab.Merge(ac)["a"].Should().Be(1);
        ab.Prune("b").Should().Be(a);
        VectorClock.NodeId(TestNodes.Node(1)).Should().Contain("127.0.0.1:2551").And.EndWith("#2");
    }

    [Fact]
    public void Merge_is_a_join_commutative_associative_idempotent_and_an_upper_bound() =>
        Prop.ForAll(Triples, t =>
        {
            var (a, b, c) = t;
            return a.Merge(b).Equals(b.Merge(a))
                   && a.Merge(b).Merge(c).Equals(a.Merge(b.Merge(c)))
                   && a.Merge(a).Equals(a)
                   && a.Merge(b).Compare(a) is VectorClock.Ordering.After or VectorClock.Ordering.Same
                   && a.Merge(b).Compare(b) is VectorClock.Ordering.After or VectorClock.Ordering.Same;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Compare_is_antisymmetric_and_increment_moves_forward() =>
        Prop.ForAll(Triples, t =>
        {
            var (a, b, _) = t;
            var ab = a.Compare(b);
            var ba = b.Compare(a);
            var mirrored = ab switch
            {
                VectorClock.Ordering.Before => ba == VectorClock.Ordering.After,
                VectorClock.Ordering.After => ba == VectorClock.Ordering.Before,
                _ => ba == ab,
            };
            return mirrored && a.Increment("n1").Compare(a) == VectorClock.Ordering.After && (ab == VectorClock.Ordering.Same) == a.Equals(b);
        }).QuickCheckThrowOnFailure();
}
