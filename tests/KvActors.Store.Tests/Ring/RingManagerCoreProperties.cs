using FsCheck;
using FsCheck.Fluent;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using Microsoft.FSharp.Core;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

/// <summary>
/// The epoch never goes back: over random sequences of membership, reachability, reports of last rings (random
/// placements at random epochs), primaries' reports (right, stale or wrong) and time, every ring the core publishes has
/// a higher epoch than the one before, and once formed the ring is above every epoch any member reported. Also: no
/// published ring places a replica on a node that is not Up when the plan ran over an Up member. Fixed seed.
/// </summary>
public sealed class RingManagerCoreProperties
{
    private const int Nodes = 5;

    public sealed record Step(int Kind, int Node, int Partition, int Epoch, int Millis);

    private static readonly Gen<Step> Steps =
        from kind in Gen.Choose(0, 9)
        from node in Gen.Choose(1, Nodes)
        from partition in Gen.Choose(0, 15)
        from epoch in Gen.Choose(0, 40)
        from millis in Gen.Choose(0, 1500)
        select new Step(kind, node, partition, epoch, millis);

    private static Config Seeded(int tests) =>
        Config.QuickThrowOnFailure
            .WithMaxTest(tests)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(0x52696E67UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    [Fact]
    public void The_epoch_only_grows_over_random_event_sequences()
    {
        Check.One(Seeded(200), Prop.ForAll(Steps.ListOf().ToArbitrary(), steps => Run(steps.ToList())));
    }

    private static void Run(List<Step> steps)
    {
        var options = Cores.Options with { MinMembers = 2 };
        var core = new RingManagerCore(options, TimeSpan.Zero);
        var now = TimeSpan.Zero;
        var last = -1L;
        var highestReported = -1L;
        var template = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(Nodes), 3);
        var leaving = new HashSet<NodeId>();

        foreach (var s in steps)
        {
            now += TimeSpan.FromMilliseconds(s.Millis);
            var node = Member(s.Node);
            var epochNear = Math.Max(0, (core.Ring?.Epoch ?? 0) + s.Epoch - 20);
            var outcome = s.Kind switch
            {
                0 or 1 => core.MemberUp(node, now),
                2 => core.MemberRemoved(node, now),
                3 => core.MemberLeaving(node, now),
                4 => core.Unreachable(node, now),
                5 => core.Reachable(node, now),
                6 => core.LastRingReported(node, s.Epoch % 3 == 0 ? null : RingPlanner.Plan(template, MembersUpTo(s.Partition % Nodes + 1), 3).AtEpoch(s.Epoch + 1), now),
                7 => core.ReplicaSilent(s.Partition, node, epochNear, now),
                8 => core.LearnerCaughtUp(s.Partition, node, epochNear, now),
                _ => core.Tick(now),
            };
            if (s.Kind == 6 && s.Epoch % 3 != 0) highestReported = Math.Max(highestReported, s.Epoch + 1);
            if (s.Kind == 3) leaving.Add(node);
            if (s.Kind == 2) leaving.Remove(node);

            if (outcome.Publish is { } ring)
            {
                ring.Epoch.Should().BeGreaterThan(last, "every published ring is above the one before");
                core.Ring.Should().BeSameAs(ring);
                last = ring.Epoch;
                // Every input but a silent replica, reachability and failover plans the ring; a plan with no member
                // to place replicas on (all leaving) keeps the ring as it is.
                // (A partition whose in-sync replicas are all gone keeps them, waiting for one to come back.)
                if (s.Kind is 0 or 1 or 2 or 3 or 6 or 8 && core.UpMembers.Except(leaving).Any())
                    ring.Partitions.Where(set => set.InSync.Any(core.UpMembers.Contains)).SelectMany(set => set.Replicas)
                        .Concat(ring.Partitions.SelectMany(set => set.Learners))
                        .Should().BeSubsetOf(core.UpMembers, "a plan places replicas on Up members only");
            }
            if (core.Ring is { } current)
            {
                current.Epoch.Should().Be(last, "the ring changes only by publishing");
                current.Epoch.Should().BeGreaterThan(highestReported, "the ring in force is above every ring a member reported");
            }
        }
    }
}
