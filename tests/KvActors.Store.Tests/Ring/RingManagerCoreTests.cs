using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

/// <summary>Test helpers for the RingManager's core: options, time, and a core with a formed ring.</summary>
internal static class Cores
{
    public static readonly RingManagerCore.Options Options =
        new(Partitions: 16, ReplicationFactor: 3, MinMembers: 3, FailoverAfter: TimeSpan.FromSeconds(1), LastRingTimeout: TimeSpan.FromSeconds(5));

    public static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>A core whose first ring is formed over <paramref name="members"/> (each Up, each reporting no ring) at time 0.</summary>
    public static RingManagerCore Formed(int[] members, RingManagerCore.Options? options = null)
    {
        var core = new RingManagerCore(options ?? Options with { MinMembers = members.Length }, At(0));
        foreach (var m in members) core.MemberUp(Member(m), At(0));
        foreach (var m in members) core.LastRingReported(Member(m), null, At(0));
        core.Ring.Should().NotBeNull("the first ring is formed once every member reported");
        return core;
    }

    /// <summary>The ring <paramref name="outcome"/> published; fails if it published none.</summary>
    public static RingState Published(this RingOutcome outcome)
    {
        outcome.Publish.Should().NotBeNull($"a new ring was expected, but: {outcome.Note}");
        return outcome.Publish!;
    }

    /// <summary><paramref name="ring"/>'s placement at another epoch (what an earlier manager might have published).</summary>
    public static RingState AtEpoch(this RingState ring, long epoch) => new(epoch, ring.PartitionCount, ring.ReplicationFactor, ring.Partitions);
}

public sealed class RingManagerCoreTests
{
    private static readonly RingManagerCore.Options Options = Cores.Options;

    private static TimeSpan At(double seconds) => Cores.At(seconds);

    [Fact]
    public void The_first_ring_waits_for_the_minimum_of_members_and_for_every_members_last_ring()
    {
        var core = new RingManagerCore(Options, At(0));
        core.MemberUp(Member(1), At(0)).Publish.Should().BeNull();
        core.LastRingReported(Member(1), null, At(0)).Publish.Should().BeNull();
        core.MemberUp(Member(2), At(1)).Publish.Should().BeNull();
        core.LastRingReported(Member(2), null, At(1)).Publish.Should().BeNull("2 of the minimum of 3 are Up");
        core.Status().WaitingFor.Should().Be("The first ring of a new cluster waits for 3 members to be Up (2 are).");

        core.MemberUp(Member(3), At(2)).Publish.Should().BeNull("the third member has not reported its last ring yet");
        core.AwaitingReports.Should().Equal(Member(3));
        core.Status().WaitingFor.Should().StartWith("The first ring waits for the last ring of every Up member (2 of 3 answered)");

        var ring = core.LastRingReported(Member(3), null, At(2)).Published();

        ring.Epoch.Should().Be(1);
        ring.Partitions.Should().OnlyContain(set => set.InSync.Length == 3 && set.Learners.IsEmpty);
        Spread(PrimaryCounts(ring, MembersUpTo(3))).Should().BeLessThanOrEqualTo(1);
        core.Ring.Should().BeSameAs(ring);
        core.AwaitingReports.Should().BeEmpty();
        core.Status().WaitingFor.Should().BeNull();
    }

    [Fact]
    public void A_new_clusters_first_ring_needs_the_minimum_of_members_to_have_answered_that_they_hold_no_ring()
    {
        // The simulation's seed 42947: nodes 1 and 5 joined and crashed before they stored any ring; the nodes that held
        // the rings crashed too. Back, 1 and 5 are a majority of the three Up members, and neither holds a ring; 4, Up
        // but silent, does. Forming a new cluster from them would start the ring's history over at epoch 1.
        var core = new RingManagerCore(Options, At(0));
        foreach (var m in new[] { 1, 4, 5 }) core.MemberUp(Member(m), At(0));
        core.Unreachable(Member(4), At(0));
        core.LastRingReported(Member(1), null, At(0));
        core.LastRingReported(Member(5), null, At(0)).Publish.Should().BeNull();
        core.Tick(At(10)).Publish.Should().BeNull("two answers are fewer than the minimum of 3, however long it waits");
        core.Status().WaitingFor.Should().Be(
            "The first ring of a new cluster waits for 3 members to answer that they hold no ring (2 have): one that has not may hold the cluster's ring.");

        var held = Cores.Formed([2, 3, 4]).Ring!;
        core.Reachable(Member(4), At(11));
        core.LastRingReported(Member(4), held, At(11)).Publish.Should().BeNull("now it waits for a quorum of that ring's nodes, 2, 3, 4");
        core.MemberUp(Member(2), At(12));
        core.LastRingReported(Member(2), held, At(12)).Published().Epoch.Should().Be(held.Epoch + 1, "the ring's history goes on");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_deputys_first_ring_does_not_wait_for_the_host_it_stands_in_for_even_before_the_host_is_unreachable(bool deputy)
    {
        // The deputy starts on its partitions' suspicion of the host, about a second before Akka marks the host
        // unreachable; the host, crashed, never answers. Its quorums still count it: 2 and 3 are a quorum of 1, 2, 3.
        var held = Cores.Formed([1, 2, 3]).Ring!;
        var core = new RingManagerCore(Options, At(0));
        if (deputy) core.StandsInFor(Member(1));
        foreach (var m in new[] { 1, 2, 3 }) core.MemberUp(Member(m), At(0));
        core.LastRingReported(Member(2), held, At(0));
        var outcome = core.LastRingReported(Member(3), held, At(0.1));
        if (deputy)
            outcome.Published().Epoch.Should().Be(held.Epoch + 1);
        else
        {
            outcome.Publish.Should().BeNull("a reachable member that has not answered is awaited until the timeout");
            core.Status().WaitingFor.Should().StartWith("The first ring waits for the last ring of every Up member (2 of 3 answered)");
        }
    }

    [Fact]
    public void After_a_restart_the_first_ring_waits_for_the_last_rings_nodes_or_a_majority_of_them_after_the_timeout()
    {
        var before = Cores.Formed([1, 2, 3]).Ring!;

        var core = new RingManagerCore(Options with { MinMembers = 1 }, At(0));
        core.MemberUp(Member(1), At(0));
        core.LastRingReported(Member(1), before, At(0)).Publish.Should().BeNull("the other nodes of the last ring are not back yet");
        core.Status().WaitingFor.Should().Contain("waits for the nodes of the last ring to answer (1 of 3, missing");
        core.Tick(At(10)).Publish.Should().BeNull("one of three is no majority, however long it waits");

        core.MemberUp(Member(2), At(10));
        var ring = core.LastRingReported(Member(2), before, At(10)).Published();

        ring.Epoch.Should().Be(before.Epoch + 1);
        foreach (var p in Enumerable.Range(0, ring.PartitionCount))
            ring[p].InSync.Should().OnlyContain(n => before[p].IsInSync(n), "the nodes that came back keep their in-sync replicas");
        ring.Partitions.Should().OnlyContain(set => set.Primary != null);

        var all = new RingManagerCore(Options with { MinMembers = 1 }, At(0));
        foreach (var m in new[] { 1, 2, 3 })
        {
            all.MemberUp(Member(m), At(0));
            all.LastRingReported(Member(m), before, At(0));
        }
        all.Ring!.Nodes.Should().Equal(Members(1, 2, 3), "a majority suffices, and the third member is planned back in at once");
        all.Ring.Partitions.Should().OnlyContain(set => set.IsLearner(Member(3)), "as a learner: it catches up from the others first");
    }

    [Fact]
    public void A_node_of_the_last_ring_that_is_Up_but_silent_is_not_counted_back()
    {
        var before = Cores.Formed([1, 2, 3]).Ring!;
        var core = new RingManagerCore(Options with { MinMembers = 1 }, At(0));
        foreach (var m in new[] { 1, 2, 4, 5 }) core.MemberUp(Member(m), At(0));
        core.Unreachable(Member(2), At(0));
        core.LastRingReported(Member(4), null, At(0));
        core.LastRingReported(Member(5), null, At(0));

        // Three of the four Up members answered and the silent one is unreachable, so the members' side is satisfied; but
        // of the last ring's nodes only 1 answered. Node 2 may hold a newer ring, chosen while the cluster was smaller.
        core.LastRingReported(Member(1), before, At(0)).Publish.Should().BeNull();
        core.Tick(At(10)).Publish.Should().BeNull("one of the last ring's three nodes is no majority, however long it waits");
        core.Status().WaitingFor.Should().Contain("missing 10.0.0.2:4053, 10.0.0.3:4053");

        core.Reachable(Member(2), At(11));
        core.LastRingReported(Member(2), before, At(11)).Published().Epoch.Should().Be(before.Epoch + 1);
    }

    [Fact]
    public void A_ring_reported_as_accepted_only_makes_the_first_ring_wait_for_a_quorum_of_the_ring_it_replaced()
    {
        // The simulation's seed 14698 (membership changes on): epoch 23 on 1, 2, 4, 5 was chosen; epoch 24 on all five
        // was stored by 3, 4 and 5 only, never chosen. 3, 4 and 5 are a quorum of 24's nodes but not of 23's (4 and 5 are
        // half of them, without the lowest): 1 and 2 alone are, and may have chosen a ring after 23 that 3, 4, 5 never saw.
        var chosen = RingPlanner.Plan(RingState.Empty(16, 3), Members(1, 2, 4, 5), 3).AtEpoch(23);
        var accepted = RingPlanner.Plan(chosen, MembersUpTo(5), 3).AtEpoch(24);
        IReadOnlyList<IReadOnlyCollection<NodeId>> replaces = [chosen.Nodes];
        var core = new RingManagerCore(Options with { MinMembers = 1 }, At(0));
        foreach (var m in new[] { 3, 4, 5 }) core.MemberUp(Member(m), At(0));
        foreach (var m in new[] { 3, 4, 5 })
            core.LastRingReported(Member(m), accepted, At(0), new RingBallot(14, "10.0.0.1:4053"), replaces).Publish.Should().BeNull();

        core.Tick(At(10)).Publish.Should().BeNull("however long it waits");
        core.Status().WaitingFor.Should().Contain("a ring it replaces").And.Contain("2 of 4, missing 10.0.0.1:4053, 10.0.0.2:4053");

        core.MemberUp(Member(1), At(11));
        var first = core.LastRingReported(Member(1), chosen, At(11), new RingBallot(12, "10.0.0.1:4053")).Published();
        first.Epoch.Should().Be(25);
        core.FormedFrom.Should().BeEquivalentTo(new[] { accepted.Nodes, chosen.Nodes }, "the first ring must also be stored by a quorum of each");
    }

    [Fact]
    public void Forgotten_nodes_no_longer_hold_the_first_ring_back_and_count_again_once_Up()
    {
        var before = Cores.Formed([1, 2, 3]).Ring!;
        var core = new RingManagerCore(Options with { MinMembers = 1 }, At(0));
        core.MemberUp(Member(1), At(0));
        core.LastRingReported(Member(1), before, At(0)).Publish.Should().BeNull("1 of the last ring's 3 nodes is no quorum");
        core.Tick(At(10)).Publish.Should().BeNull("however long it waits");

        core.Forget([Member(2), Member(3)]);

        core.Tick(At(11)).Published().Nodes.Should().Equal(Members(1));
        core.MemberUp(Member(2), At(12));
        core.Forgotten.Should().Equal([Member(3)], "a forgotten node that is back counts again");
    }

    [Fact]
    public void After_the_collection_timeout_the_last_rings_of_a_majority_are_enough_but_not_of_a_minority()
    {
        // A minimum of 2: a new cluster's first ring also needs the minimum of members to have answered.
        var options = Options with { MinMembers = 2 };
        var core = new RingManagerCore(options, At(0));
        foreach (var m in new[] { 1, 2, 3 }) core.MemberUp(Member(m), At(0));
        core.LastRingReported(Member(1), null, At(0));
        core.Tick(At(10)).Publish.Should().BeNull("1 of 3 is not a majority");

        core.LastRingReported(Member(2), null, At(10)).Publish.Should().NotBeNull("2 of 3 reported and the timeout has passed");

        var patient = new RingManagerCore(options, At(0));
        foreach (var m in new[] { 1, 2, 3 }) patient.MemberUp(Member(m), At(0));
        patient.LastRingReported(Member(1), null, At(1));
        patient.LastRingReported(Member(2), null, At(1)).Publish.Should().BeNull("within the timeout every member's ring is awaited");
        patient.Tick(At(4.9)).Publish.Should().BeNull();
        patient.Tick(At(5)).Published().Epoch.Should().Be(1);
    }

    [Fact]
    public void The_first_ring_continues_from_the_highest_epoch_any_member_reports()
    {
        var old = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3);
        var core = new RingManagerCore(Options, At(0));
        foreach (var m in new[] { 1, 2, 3 }) core.MemberUp(Member(m), At(0));
        core.LastRingReported(Member(1), old.AtEpoch(7), At(0));
        core.LastRingReported(Member(2), old.AtEpoch(12), At(0));
        core.LastRingReported(Member(3), null, At(0));

        var ring = core.Ring!;
        ring.Epoch.Should().Be(13, "one above the highest reported epoch");
        ring.SamePlacementAs(old).Should().BeTrue("the same members keep the placement they had");
        core.HighestReportedEpoch.Should().Be(12);
    }

    [Fact]
    public void Of_two_rings_reported_at_the_highest_epoch_the_one_accepted_under_the_higher_ballot_is_continued()
    {
        var old = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3);
        var chosen = RingTransitions.DropReplica(old, 0, old[0].InSync[1]).Ring.AtEpoch(8);
        var core = new RingManagerCore(Options, At(0));
        foreach (var m in new[] { 1, 2, 3 }) core.MemberUp(Member(m), At(0));
        core.LastRingReported(Member(1), old.AtEpoch(8), At(0), new RingBallot(1, "a"));
        core.LastRingReported(Member(2), chosen, At(0), new RingBallot(2, "b"));
        core.LastRingReported(Member(3), old.AtEpoch(8), At(0), new RingBallot(1, "c"));

        core.Ring!.Epoch.Should().Be(9);
        core.Ring.SamePlacementAs(chosen).Should().BeTrue("only the ring of the higher ballot can have been chosen");
    }

    [Fact]
    public void A_manager_superseded_by_a_higher_ballot_forgets_its_ring_and_forms_the_first_ring_again_from_new_answers()
    {
        var core = Cores.Formed([1, 2, 3]);
        var first = core.Ring!;

        core.Recollect(At(10));

        core.IsFormed.Should().BeFalse();
        core.AwaitingReports.Should().Equal(MembersUpTo(3));
        core.Reports([new SilentReplica(0, first[0].InSync[1], first.Epoch)], At(10)).Publish.Should().BeNull("no ring is changed while collecting");
        core.LastRingReported(Member(1), first.AtEpoch(4), At(10));
        core.LastRingReported(Member(2), null, At(10));
        var again = core.LastRingReported(Member(3), first, At(10)).Published();
        again.Epoch.Should().Be(5, "above the highest ring the members hold now");
        core.UpMembers.Should().Equal(MembersUpTo(3), "membership is kept");
    }

    [Fact]
    public void A_ring_reported_after_the_first_ring_is_passed_with_the_managers_own_placement()
    {
        var core = Cores.Formed([1, 2, 3]);
        var mine = core.Ring!;
        var theirs = RingTransitions.DropReplica(mine, 0, mine[0].InSync[1]).Ring.AtEpoch(20);

        var above = core.LastRingReported(Member(2), theirs, At(1), new RingBallot(1, "x")).Published();

        above.Epoch.Should().Be(21, "a keeper that stored epoch 20 takes only a higher one");
        above.SamePlacementAs(mine).Should().BeTrue("a ring reported now was stored by no majority: continuing from it would mix another manager's history into this one's");
        core.LastRingReported(Member(3), mine, At(2)).Should().Be(RingOutcome.Nothing, "an older ring is no news");
        core.LastRingReported(Member(3), above, At(2)).Should().Be(RingOutcome.Nothing, "nor the manager's own");
    }

    [Fact]
    public void Before_the_first_ring_the_highest_ballot_wins_over_a_higher_epoch_and_the_new_epoch_is_above_all()
    {
        var old = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3);
        var chosen = RingTransitions.DropReplica(old, 0, old[0].InSync[1]).Ring.AtEpoch(7);
        var core = new RingManagerCore(Options, At(0));
        foreach (var m in new[] { 1, 2, 3 }) core.MemberUp(Member(m), At(0));
        core.LastRingReported(Member(1), old.AtEpoch(9), At(0), new RingBallot(1, "a"));
        core.LastRingReported(Member(2), chosen, At(0), new RingBallot(2, "b"));
        core.LastRingReported(Member(3), old.AtEpoch(5), At(0), new RingBallot(2, "b"));

        core.Ring!.Epoch.Should().Be(10, "above every reported epoch, so every keeper takes it");
        core.Ring.SamePlacementAs(chosen).Should().BeTrue("epoch 9 of ballot 1 was never stored by a majority: ballot 2 chose epoch 7 after collecting from one");
        core.HighestReportedEpoch.Should().Be(9);
    }

    [Fact]
    public void A_cluster_that_had_a_ring_goes_on_with_fewer_members_than_the_minimum()
    {
        var old = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3).AtEpoch(5);
        var core = new RingManagerCore(Options, At(0));
        core.MemberUp(Member(1), At(0));
        core.MemberUp(Member(2), At(0));
        core.LastRingReported(Member(1), old, At(0));
        var ring = core.LastRingReported(Member(2), old, At(0)).Published();

        ring.Epoch.Should().Be(6);
        ring.Nodes.Should().Equal(Members(1, 2), "the member that is gone is removed");
        ring.Partitions.Should().OnlyContain(set => set.Primary != null && set.InSync.Length == 2);
        RingTransitions.UnderReplicated(ring).Should().HaveCount(16, "2 nodes for RF 3: under-replicated, still served");
    }

    [Fact]
    public void A_join_adds_the_new_member_as_a_learner_in_about_a_quarter_of_the_replica_slots()
    {
        var core = Cores.Formed([1, 2, 3], Options with { Partitions = 64 });
        var before = core.Ring!;

        var ring = core.MemberUp(Member(4), At(1)).Published();

        ring.Epoch.Should().Be(before.Epoch + 1);
        var learning = ring.Partitions.Count(s => s.IsLearner(Member(4)));
        learning.Should().BeInRange(64 * 3 / 4 - 1, 64 * 3 / 4 + 1);
        ring.Partitions.Should().OnlyContain(s => !s.IsInSync(Member(4)), "it has no data yet");
        ring.Partitions.Should().OnlyContain(s => s.InSync.Length == 3, "the replicas it replaces stay in sync until it has caught up");
        core.MemberUp(Member(4), At(2)).Publish.Should().BeNull("an Up member that is already known changes nothing");
    }

    [Fact]
    public void A_caught_up_learner_becomes_in_sync_and_the_replica_it_replaces_is_dropped()
    {
        var core = Cores.Formed([1, 2, 3]);
        var joined = core.MemberUp(Member(4), At(1)).Published();
        var p = Enumerable.Range(0, 16).First(i => joined[i].IsLearner(Member(4)));

        var ring = core.LearnerCaughtUp(p, Member(4), joined.Epoch, At(2)).Published();

        ring.Epoch.Should().Be(joined.Epoch + 1, "one change, one epoch");
        ring[p].IsInSync(Member(4)).Should().BeTrue();
        ring[p].Count.Should().Be(3, "the replica it was added to replace is dropped");
        ring[p].Learners.Should().BeEmpty();
    }

    [Fact]
    public void Learners_reported_caught_up_in_one_tick_are_promoted_in_one_epoch_and_stale_reports_among_them_are_skipped()
    {
        var core = Cores.Formed([1, 2, 3]);
        var formedAt = core.Ring!.Epoch;
        var joined = core.MemberUp(Member(4), At(1)).Published();
        var learning = Enumerable.Range(0, joined.PartitionCount).Where(i => joined[i].IsLearner(Member(4))).ToList();
        learning.Should().HaveCountGreaterThan(2);
        var reports = learning.Select(p => new CaughtUp(p, Member(4), joined.Epoch))
            .Append(new CaughtUp(learning[0], Member(4), formedAt)) // made before the join: stale
            .ToList();

        var ring = core.Reports(reports, At(2)).Published();

        ring.Epoch.Should().Be(joined.Epoch + 1, "one tick's promotions, one epoch");
        learning.Should().OnlyContain(p => ring[p].IsInSync(Member(4)) && ring[p].Learners.IsEmpty && ring[p].Count == 3);
        core.Reports([new CaughtUp(learning[0], Member(4), ring.Epoch)], At(3)).Publish
            .Should().BeNull("it is in sync already");
    }

    [Fact]
    public void Reports_made_before_the_partition_last_changed_or_about_a_non_learner_are_ignored()
    {
        var core = Cores.Formed([1, 2, 3]);
        var formedAt = core.Ring!.Epoch;
        var joined = core.MemberUp(Member(4), At(1)).Published();
        var p = Enumerable.Range(0, 16).First(i => joined[i].IsLearner(Member(4)));

        core.LearnerCaughtUp(p, Member(4), formedAt, At(2)).Note.Should().Contain("stale");
        core.LearnerCaughtUp(p, Member(4), joined.Epoch + 5, At(2)).Note.Should().Contain("ignored", "an epoch ahead of the manager is not believed");
        core.LearnerCaughtUp(p, joined[p].Primary!.Value, joined.Epoch, At(2)).Note.Should().Contain("is not a learner");
        core.LearnerCaughtUp(99, Member(4), joined.Epoch, At(2)).Note.Should().Contain("outside");
        core.Ring.Should().BeSameAs(joined);

        var after = core.LearnerCaughtUp(p, Member(4), joined.Epoch, At(2)).Published();
        core.LearnerCaughtUp(p, Member(4), joined.Epoch, At(3)).Publish.Should().BeNull("a repeated report finds it in sync already");
        var other = Enumerable.Range(0, 16).FirstOrDefault(i => i != p && after[i].IsLearner(Member(4)) && after[i].Equals(joined[i]), -1);
        if (other >= 0)
            core.LearnerCaughtUp(other, Member(4), joined.Epoch, At(3)).Publish.Should().NotBeNull("that partition did not change since the report's epoch");
    }

    [Fact]
    public void A_silent_in_sync_replica_is_dropped_to_learner_and_stale_reports_are_ignored()
    {
        var core = Cores.Formed([1, 2, 3]);
        var ring = core.Ring!;
        var follower = ring[0].InSync[1];

        var dropped = core.ReplicaSilent(0, follower, ring.Epoch, At(1)).Published();

        dropped.Epoch.Should().Be(ring.Epoch + 1);
        dropped[0].IsLearner(follower).Should().BeTrue();
        dropped[0].InSync.Should().HaveCount(2);

        // Back in sync at a later epoch; the old report must not drop it again.
        var back = core.LearnerCaughtUp(0, follower, dropped.Epoch, At(2)).Published();
        back[0].IsInSync(follower).Should().BeTrue();
        core.ReplicaSilent(0, follower, ring.Epoch, At(3)).Note.Should().Contain("stale");
        core.ReplicaSilent(0, back[0].Primary!.Value, back.Epoch, At(3)).Note.Should().Contain("is the primary");
        core.Ring.Should().BeSameAs(back);
    }

    [Fact]
    public void A_backup_that_suspects_its_primary_is_promoted_once_its_last_grant_is_older_than_failover_after()
    {
        var core = Cores.Formed([1, 2, 3]);
        var ring = core.Ring!;
        var set = ring[0];
        var (primary, backup, other) = (set.Primary!.Value, set.InSync[1], set.InSync[2]);

        core.PrimarySuspected(0, backup, ring.Epoch, TimeSpan.FromMilliseconds(999), At(1)).Note.Should().Contain("too recently");
        core.PrimarySuspected(0, backup, ring.Epoch, null, At(1)).Publish.Should().BeNull("it never granted, so nothing says the lease is over");
        core.PrimarySuspected(0, primary, ring.Epoch, TimeSpan.FromSeconds(2), At(1)).Note.Should().Contain("not one of its in-sync backups");
        core.PrimarySuspected(0, backup, ring.Epoch + 1, TimeSpan.FromSeconds(2), At(1)).Note.Should().Contain("stale");

        var promoted = core.PrimarySuspected(0, backup, ring.Epoch, TimeSpan.FromMilliseconds(1200), At(1)).Published();

        promoted.Epoch.Should().Be(ring.Epoch + 1);
        promoted[0].Primary.Should().Be(backup);
        promoted[0].IsLearner(primary).Should().BeTrue("the old primary reconciles before it is in sync again");
        promoted[0].IsInSync(other).Should().BeTrue();
        foreach (var p in Enumerable.Range(1, ring.PartitionCount - 1)) promoted[p].Should().Be(ring[p], "only the reported partition moves");
        core.PrimarySuspected(0, other, ring.Epoch, TimeSpan.FromSeconds(2), At(1)).Note.Should().Contain("stale", "the other backup's report came before the change");
    }

    [Fact]
    public void Suspicions_gathered_in_one_tick_fail_over_every_partition_of_a_dead_primary_in_one_epoch()
    {
        var core = Cores.Formed([1, 2, 3]);
        var ring = core.Ring!;
        var led = Enumerable.Range(0, 16).Where(p => ring[p].Primary == Member(1)).ToList();
        led.Count.Should().BeGreaterThan(1);
        var grace = TimeSpan.FromMilliseconds(1200);
        // Both backups of every partition suspect member 1; the second report of each comes after the first's failover.
        var reports = led.Select(p => (RingReport)new SuspectedPrimary(p, ring[p].InSync[1], ring.Epoch, grace))
            .Concat(led.Select(p => new SuspectedPrimary(p, ring[p].InSync[2], ring.Epoch, grace)))
            .ToList();

        var outcome = core.Reports(reports, At(5));

        var next = outcome.Published();
        next.Epoch.Should().Be(ring.Epoch + 1, "one epoch for the whole batch");
        outcome.Note.Should().StartWith($"{led.Count} partitions failed over on their replicas' suspicion (from {Member(1)})");
        foreach (var p in led)
        {
            next[p].Primary.Should().Be(ring[p].InSync[1], "the first report wins; the second was made about the old primary");
            next[p].IsLearner(Member(1)).Should().BeTrue();
        }
        foreach (var p in Enumerable.Range(0, 16).Except(led)) next[p].Should().Be(ring[p]);
    }

    [Fact]
    public void A_learner_reported_caught_up_while_unreachable_is_not_promoted()
    {
        var core = Cores.Formed([1, 2, 3]);
        var ring = core.Ring!;
        var dropped = core.ReplicaSilent(0, ring[0].InSync[1], ring.Epoch, At(1)).Published();
        var learner = dropped[0].Learners.Single();
        core.Unreachable(learner, At(1));

        var outcome = core.LearnerCaughtUp(0, learner, dropped.Epoch, At(2));

        outcome.Publish.Should().BeNull();
        outcome.Note.Should().Contain("not an Up, reachable member");
        core.Reachable(learner, At(3));
        core.LearnerCaughtUp(0, learner, dropped.Epoch, At(3)).Published()[0].InSync.Should().Contain(learner, "reachable again, it is promoted");
    }

    [Fact]
    public void A_suspicion_from_an_unreachable_backup_is_ignored()
    {
        var core = Cores.Formed([1, 2, 3]);
        var ring = core.Ring!;
        var backup = ring[0].InSync[1];
        core.Unreachable(backup, At(1));

        core.PrimarySuspected(0, backup, ring.Epoch, TimeSpan.FromSeconds(2), At(1)).Note.Should().Contain("not an Up, reachable member");
    }

    [Fact]
    public void An_unreachable_primary_fails_over_only_after_failover_after_without_waiting_for_removal()
    {
        var core = Cores.Formed([1, 2, 3]);
        var ring = core.Ring!;
        var led = Enumerable.Range(0, 16).Where(p => ring[p].Primary == Member(1)).ToList();
        led.Should().NotBeEmpty();

        core.Unreachable(Member(1), At(10)).Publish.Should().BeNull();
        core.Tick(At(10.99)).Publish.Should().BeNull("not before failover-after has passed");

        var failed = core.Tick(At(11)).Published();

        failed.Epoch.Should().Be(ring.Epoch + 1, "every failover of that node in one epoch");
        foreach (var p in led)
        {
            failed[p].Primary.Should().Be(ring[p].InSync[1], "the first in-sync replica in node order, reachable");
            failed[p].IsLearner(Member(1)).Should().BeTrue("the old primary must reconcile before it is in sync again");
        }
        foreach (var p in Enumerable.Range(0, 16).Except(led)) failed[p].Should().Be(ring[p]);
        core.Tick(At(12)).Publish.Should().BeNull("nothing more to do");

        var removed = core.MemberRemoved(Member(1), At(15)).Published();
        removed.Nodes.Should().Equal(Members(2, 3));
    }

    [Fact]
    public void A_primary_that_is_reachable_again_before_the_deadline_is_kept()
    {
        var core = Cores.Formed([1, 2, 3]);
        var ring = core.Ring!;
        core.Unreachable(Member(1), At(10));
        core.Reachable(Member(1), At(10.5));
        core.Tick(At(20)).Publish.Should().BeNull();
        core.Ring.Should().BeSameAs(ring);

        core.Unreachable(Member(1), At(30));
        core.Tick(At(30.5)).Publish.Should().BeNull("the deadline counts from the latest unreachability");
        core.Tick(At(31)).Publish.Should().NotBeNull();
    }

    [Fact]
    public void Failover_skips_unreachable_replicas_and_keeps_the_primary_when_no_in_sync_replica_is_reachable()
    {
        var members = Enumerable.Range(1, 7).ToArray();
        var core = Cores.Formed(members, Options with { Partitions = 64, MinMembers = 7 });
        var ring = core.Ring!;
        HashSet<NodeId> gone = [Member(1), Member(2), Member(3)];
        foreach (var node in gone) core.Unreachable(node, At(10));

        var failed = core.Tick(At(11)).Published();

        var skipped = 0;
        var kept = 0;
        for (var p = 0; p < ring.PartitionCount; p++)
        {
            if (ring[p].Primary is not { } primary || !gone.Contains(primary))
            {
                failed[p].Should().Be(ring[p]);
                continue;
            }
            var reachable = ring[p].InSync.Skip(1).Where(n => !gone.Contains(n)).ToList();
            if (reachable.Count == 0)
            {
                failed[p].Primary.Should().Be(primary, "no in-sync replica is reachable, so nobody holds every committed write");
                kept++;
                continue;
            }
            failed[p].Primary.Should().Be(reachable[0], "the first reachable in-sync replica in node order");
            if (gone.Contains(ring[p].InSync[1])) skipped++;
        }
        skipped.Should().BePositive("some partition's first backup was unreachable too");
        kept.Should().BePositive("some partition had all its in-sync replicas among the unreachable");
    }

    [Fact]
    public void A_manager_that_sees_most_members_unreachable_changes_nothing_until_a_majority_is_reachable_or_removed()
    {
        var core = Cores.Formed([1, 2, 3]);
        var ring = core.Ring!;
        var own = ring[Enumerable.Range(0, 16).First(p => ring[p].Primary == Member(1))];
        core.Unreachable(Member(2), At(10));
        core.Unreachable(Member(3), At(10));

        core.Tick(At(12)).Note.Should().Contain("held", "member 1 may be the minority side of a partition");
        core.Status().WaitingFor.Should().StartWith("Only 1 of 3 Up members are reachable", "`kv ring show` says why nothing changes");
        core.PrimarySuspected(0, ring[0].InSync[1], ring.Epoch, TimeSpan.FromSeconds(2), At(12)).Note.Should().Contain("held");
        core.ReplicaSilent(0, ring[0].InSync[1], ring.Epoch, At(12)).Note.Should().Contain("held");
        core.MemberRemoved(Member(2), At(13)).Publish.Should().BeNull("1 of 2 Up members reachable is still no majority");
        core.Ring.Should().BeSameAs(ring);
        own.Primary.Should().Be(Member(1));

        // The core plans it; the publisher then waits for a quorum of the ring's nodes 1, 2, 3 before it takes effect
        // (RingSpecs.Alone_of_a_rings_three_nodes_the_survivor_changes_no_ring_until_another_is_back).
        var alone = core.MemberRemoved(Member(3), At(14)).Published();

        alone.Epoch.Should().Be(ring.Epoch + 1);
        core.Status().WaitingFor.Should().BeNull();
        alone.Nodes.Should().Equal(Members(1));
        alone.Partitions.Should().OnlyContain(set => set.Primary == Member(1));
    }

    [Fact]
    public void Changes_held_without_a_majority_are_made_once_one_is_reachable_again()
    {
        var core = Cores.Formed([1, 2, 3, 4]);
        var ring = core.Ring!;
        core.Unreachable(Member(3), At(10));
        core.Unreachable(Member(4), At(10));
        core.MemberLeaving(Member(2), At(10)).Note.Should().Contain("held", "2 of 4 reachable is no majority");
        core.Ring.Should().BeSameAs(ring);

        core.Reachable(Member(4), At(11));
        var replanned = core.Tick(At(11)).Published();

        replanned.Epoch.Should().Be(ring.Epoch + 1);
        replanned.Partitions.Should().Contain(set => set.Learners.Length > 0, "member 2's replicas are handed off to learners");
    }

    [Fact]
    public void A_leaving_member_gets_no_new_replica_and_a_removed_one_is_re_replicated()
    {
        var core = Cores.Formed([1, 2, 3, 4]);
        var leaving = core.MemberLeaving(Member(4), At(1)).Published();
        leaving.Partitions.Should().OnlyContain(s => !s.IsLearner(Member(4)));
        leaving.Partitions.Where(s => s.IsInSync(Member(4))).Should().OnlyContain(s => s.Learners.Length == 1,
            "its in-sync replicas stay until their replacements have caught up");

        var removed = core.MemberRemoved(Member(4), At(2)).Published();
        removed.Nodes.Should().Equal(MembersUpTo(3));
        removed.Partitions.Should().OnlyContain(s => s.Primary != null && s.Count == 3);
        core.MemberRemoved(Member(4), At(3)).Publish.Should().BeNull("a member removed twice changes nothing");
    }

    [Fact]
    public void With_fewer_nodes_than_RF_the_partitions_are_under_replicated_and_still_served()
    {
        var core = Cores.Formed([1, 2]);
        var status = core.Status();
        status.Ring!.Partitions.Should().OnlyContain(s => s.InSync.Length == 2);
        status.UnderReplicated.Should().HaveCount(16);
        status.WithoutPrimary.Should().BeEmpty();
    }

    [Fact]
    public void A_partition_whose_last_in_sync_replica_crashed_waits_for_it_and_gets_a_new_epoch_when_it_is_back()
    {
        var core = Cores.Formed([1, 2, 3], Options with { Partitions = 1, MinMembers = 3 });
        var primary = core.Ring![0].Primary!.Value;
        var backups = core.Ring[0].InSync.Skip(1).ToArray();
        foreach (var backup in backups)
            core.ReplicaSilent(0, backup, core.Ring.Epoch, At(1)).Published();
        core.Ring[0].InSync.Should().Equal(primary);

        // The primary, the only replica known to hold every acknowledged write, crashes and is removed.
        core.Unreachable(primary, At(2));
        core.Tick(At(4)).Publish.Should().BeNull("no in-sync replica can take over");
        var removed = core.MemberRemoved(primary, At(5));
        (removed.Publish ?? core.Ring)[0].Primary.Should().Be(primary, "the ring keeps the only in-sync replica, waiting for it");
        core.Ring[0].Learners.Should().BeEquivalentTo(backups);
        core.Status().WithoutPrimary.Should().Equal([0], "its primary is not Up");

        // It comes back restarted, on the same address: nothing moves, but its replica adopts only a newer epoch.
        var before = core.Ring.Epoch;
        var back = core.MemberUp(primary, At(6)).Published();
        back.Epoch.Should().Be(before + 1);
        back[0].Primary.Should().Be(primary);
        core.Status().WithoutPrimary.Should().BeEmpty();
        core.ReplicaSilent(0, backups[0], before, At(6)).Note.Should().Contain("stale", "the partition changed at the new epoch");
        core.MemberUp(primary, At(7)).Publish.Should().BeNull("a member Up twice changes nothing");
    }

    [Fact]
    public void Reports_before_the_first_ring_are_ignored()
    {
        var core = new RingManagerCore(Options, At(0));
        core.ReplicaSilent(0, Member(1), 1, At(0)).Note.Should().Contain("before the first ring");
        core.LearnerCaughtUp(0, Member(1), 1, At(0)).Publish.Should().BeNull();
        core.Unreachable(Member(1), At(0)).Publish.Should().BeNull();
        core.Tick(At(100)).Publish.Should().BeNull("no member is Up");
    }
}
