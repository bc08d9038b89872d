using Akka.Actor;
using Akka.Configuration;
using KvActors.Store.Partitioning;
using KvActors.Store.Ring;
using KvActors.Store.Wire.Ring;
using Xunit.Abstractions;
using static KvActors.Store.Tests.Partitioning.Rings;

namespace KvActors.Store.Tests.Ring;

/// <summary>The node's RingKeeper on a local actor system (Akka.TestKit): fencing by epoch, its file, and the refusal of another P.</summary>
public sealed class RingKeeperTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString($"""
        akka.loglevel = INFO
        # The keeper's CoordinatedShutdown runs its phases but leaves the system up, so the test can still look at its log.
        akka.coordinated-shutdown.terminate-actor-system = off
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        {KvActors.TestKit.TestKitSettings.AkkaTestConfig}
        """), "keeper", output)
{
    private static readonly NodeId Self = new("127.0.0.1:4053");
    private static readonly RingState Ring = RingPlanner.Plan(RingState.Empty(16, 3), MembersUpTo(3), 3).AtEpoch(5);
    private readonly TempDataDir _dir = new();

    private RingSettings Settings => new() { Partitions = 16, DataDir = _dir.Path };

    private IActorRef StartKeeper() => Sys.ActorOf(RingKeeper.Props(Settings, Self));

    private static RingPublished Publish(RingState ring) => new() { Ring = RingWire.ToProto(ring) };

    private static RingProposed Propose(RingState ring, RingBallot? ballot = null) =>
        new() { Ring = RingWire.ToProto(ring), Ballot = (ballot ?? new RingBallot(1, "127.0.0.1:9")).ToProto() };

    private RingState? AcceptedOnDisk() => RingWire.FromProtoOrNull(RingFile.ReadAcceptor(RingPaths.AcceptedFile(_dir.Path)).Record?.Accepted);

    private RingState? LastRingOf(IActorRef keeper)
    {
        keeper.Tell(new LastRingRequest(), TestActor);
        var reply = ExpectMsg<LastRingReply>();
        reply.Node.Should().Be(Self.Value);
        return RingWire.FromProtoOrNull(reply.Ring);
    }

    protected override void AfterAll()
    {
        try { base.AfterAll(); }
        finally { _dir.Dispose(); }
    }

    [Fact]
    public void A_higher_epoch_is_saved_applied_and_published_on_the_event_stream()
    {
        var applied = CreateTestProbe();
        Sys.EventStream.Subscribe(applied.Ref, typeof(RingApplied));
        var keeper = StartKeeper();
        LastRingOf(keeper).Should().BeNull("a new node has no ring");

        keeper.Tell(Publish(Ring));

        applied.ExpectMsg<RingApplied>().Should().Be(new RingApplied(Ring, null));
        RingFile.Read(_dir.RingFile).Ring.Should().Be(Ring, "saved before it is applied");
        LastRingOf(keeper).Should().Be(Ring);

        var next = Ring.WithPartition(0, Set([2, 1, 3]));
        keeper.Tell(Publish(next));
        applied.ExpectMsg<RingApplied>().Should().Be(new RingApplied(next, Ring));
    }

    [Fact]
    public void An_older_epoch_is_ignored_and_answered_with_the_keepers_ring_and_the_same_epoch_is_ignored_silently()
    {
        var applied = CreateTestProbe();
        Sys.EventStream.Subscribe(applied.Ref, typeof(RingApplied));
        var keeper = StartKeeper();
        keeper.Tell(Publish(Ring));
        applied.ExpectMsg<RingApplied>();

        keeper.Tell(Publish(Ring.WithPartition(1, Set([3, 2, 1])).AtEpoch(4)), TestActor);
        RingWire.FromProtoOrNull(ExpectMsg<LastRingReply>().Ring).Should().Be(Ring, "the manager that is behind learns where this node is");

        keeper.Tell(Publish(Ring), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        applied.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        RingFile.Read(_dir.RingFile).Ring.Should().Be(Ring);
        LastRingOf(keeper).Should().Be(Ring);
    }

    [Fact]
    public void A_restarted_keeper_reports_the_ring_from_its_file_and_still_fences_older_epochs()
    {
        var keeper = StartKeeper();
        keeper.Tell(Publish(Ring));
        AwaitAssert(() => RingFile.Read(_dir.RingFile).Ring.Should().Be(Ring));
        Watch(keeper);
        Sys.Stop(keeper);
        ExpectTerminated(keeper);

        var again = StartKeeper();

        LastRingOf(again).Should().Be(Ring);
        again.Tell(new GetRing(), TestActor);
        ExpectMsg<RingReply>().Should().Be(new RingReply { Ring = RingWire.ToProto(Ring), Status = "" });
        again.Tell(Publish(Ring.AtEpoch(3)), TestActor);
        ExpectMsg<LastRingReply>();
    }

    [Fact]
    public void A_proposed_ring_is_stored_and_acknowledged_but_applied_only_once_published()
    {
        var applied = CreateTestProbe();
        Sys.EventStream.Subscribe(applied.Ref, typeof(RingApplied));
        var keeper = StartKeeper();
        keeper.Tell(Publish(Ring));
        applied.ExpectMsg<RingApplied>();
        var next = Ring.WithPartition(0, Set([2, 3])).AtEpoch(6);

        keeper.Tell(Propose(next), TestActor);

        ExpectMsg<RingAccepted>().Should().Be(new RingAccepted { Node = Self.Value, Epoch = 6 });
        applied.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        keeper.Tell(new GetRing(), TestActor);
        RingWire.FromProtoOrNull(ExpectMsg<RingReply>().Ring).Should().Be(Ring, "a proposed ring is not in force before it is published");
        AcceptedOnDisk().Should().Be(next, "saved before it is acknowledged");
        LastRingOf(keeper).Should().Be(next, "a new manager must learn of every ring a majority may have stored");

        keeper.Tell(Propose(next), TestActor);
        ExpectMsg<RingAccepted>().Epoch.Should().Be(6, "a proposal sent again is acknowledged again");

        keeper.Tell(Publish(next));
        applied.ExpectMsg<RingApplied>().Should().Be(new RingApplied(next, Ring));
        LastRingOf(keeper).Should().Be(next);
    }

    [Fact]
    public void A_proposal_at_or_below_what_the_keeper_stored_is_answered_with_its_newest_ring_and_not_accepted()
    {
        var keeper = StartKeeper();
        keeper.Tell(Publish(Ring));
        var accepted = Ring.WithPartition(0, Set([2, 3])).AtEpoch(7);
        keeper.Tell(Propose(accepted), TestActor);
        ExpectMsg<RingAccepted>();

        keeper.Tell(Propose(Ring.WithPartition(1, Set([3, 1])).AtEpoch(7)), TestActor);
        RingWire.FromProtoOrNull(ExpectMsg<LastRingReply>().Ring).Should().Be(accepted, "one ring per epoch per ballot is accepted");
        keeper.Tell(Propose(Ring.WithPartition(1, Set([3, 1])).AtEpoch(6)), TestActor);
        RingWire.FromProtoOrNull(ExpectMsg<LastRingReply>().Ring).Should().Be(accepted);
        keeper.Tell(Propose(Ring.AtEpoch(4)), TestActor);
        RingWire.FromProtoOrNull(ExpectMsg<LastRingReply>().Ring).Should().Be(accepted, "below the applied ring too");
        AcceptedOnDisk().Should().Be(accepted);

        var higher = accepted.WithPartition(2, Set([1, 3])).AtEpoch(8);
        keeper.Tell(Propose(higher), TestActor);
        ExpectMsg<RingAccepted>().Epoch.Should().Be(8, "a higher proposal replaces an accepted one that was never published");
    }

    [Fact]
    public void A_restarted_keeper_still_reports_the_ring_it_accepted_and_applies_only_its_published_ring()
    {
        var keeper = StartKeeper();
        keeper.Tell(Publish(Ring));
        var accepted = Ring.WithPartition(0, Set([2, 3])).AtEpoch(6);
        keeper.Tell(Propose(accepted), TestActor);
        ExpectMsg<RingAccepted>();
        Watch(keeper);
        Sys.Stop(keeper);
        ExpectTerminated(keeper);

        var again = StartKeeper();

        LastRingOf(again).Should().Be(accepted, "an acceptance is a promise that survives a restart");
        again.Tell(new GetRing(), TestActor);
        RingWire.FromProtoOrNull(ExpectMsg<RingReply>().Ring).Should().Be(Ring);
        again.Tell(Propose(accepted.WithPartition(1, Set([1, 2])).AtEpoch(6)), TestActor);
        ExpectMsg<LastRingReply>();
    }

    [Fact]
    public void The_nodes_an_accepted_ring_replaces_are_saved_with_it_and_reported_with_it_after_a_restart()
    {
        var keeper = StartKeeper();
        keeper.Tell(Publish(Ring));
        var proposal = Propose(Ring.AtEpoch(6));
        proposal.Replaces.AddRange(RingWire.ToProto([Members(1, 2, 4, 5)]));
        keeper.Tell(proposal, TestActor);
        ExpectMsg<RingAccepted>();
        Watch(keeper);
        Sys.Stop(keeper);
        ExpectTerminated(keeper);

        var again = StartKeeper();
        again.Tell(new LastRingRequest(), TestActor);
        RingWire.FromProto(ExpectMsg<LastRingReply>().Replaces).Should().ContainSingle().Which.Should().Equal(Members(1, 2, 4, 5));

        again.Tell(Publish(Ring.AtEpoch(6)));
        again.Tell(new LastRingRequest(), TestActor);
        ExpectMsg<LastRingReply>().Replaces.Should().BeEmpty("an applied ring was chosen: what it replaced is not reported");

        var damaged = Propose(Ring.AtEpoch(7));
        damaged.Replaces.Add(new NodeSet { Nodes = { " " } });
        EventFilter.Warning(contains: "empty node").ExpectOne(() => again.Tell(damaged, TestActor));
        AcceptedOnDisk().Should().BeNull("a proposal that does not parse is not stored");
        LastRingOf(again).Should().Be(Ring.AtEpoch(6), "nor answered: the next message is the answer to this request");
    }

    [Fact]
    public void A_promise_is_kept_across_a_restart_and_refuses_a_lower_ballots_requests_and_proposals()
    {
        var keeper = StartKeeper();
        keeper.Tell(Publish(Ring));
        var high = new RingBallot(3, "127.0.0.1:2");
        keeper.Tell(new LastRingRequest { Ballot = high.ToProto() }, TestActor);
        var promise = ExpectMsg<LastRingReply>();
        promise.Refused.Should().BeFalse();
        RingBallot.FromProto(promise.Promised).Should().Be(high);
        RingBallot.FromProto(promise.Answers).Should().Be(high);
        Watch(keeper);
        Sys.Stop(keeper);
        ExpectTerminated(keeper);

        var again = StartKeeper();
        var low = new RingBallot(2, "127.0.0.1:9");
        again.Tell(new LastRingRequest { Ballot = low.ToProto() }, TestActor);
        var refusal = ExpectMsg<LastRingReply>();
        refusal.Refused.Should().BeTrue("a manager below the promise has been superseded");
        RingBallot.FromProto(refusal.Promised).Should().Be(high);
        RingWire.FromProtoOrNull(refusal.Ring).Should().Be(Ring, "the answer still says what the node holds");

        again.Tell(Propose(Ring.WithPartition(0, Set([2, 3])).AtEpoch(6), low), TestActor);
        ExpectMsg<LastRingReply>().Refused.Should().BeTrue();
        File.Exists(RingPaths.AcceptedFile(_dir.Path)).Should().BeTrue();
        again.Tell(Propose(Ring.WithPartition(0, Set([2, 3])).AtEpoch(6), high), TestActor);
        ExpectMsg<RingAccepted>().Epoch.Should().Be(6);
    }

    [Fact]
    public void A_corrupt_file_is_no_ring_with_a_warning_and_a_missing_one_is_no_ring_quietly()
    {
        RingFile.Write(_dir.RingFile, Ring);
        var bytes = File.ReadAllBytes(_dir.RingFile);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(_dir.RingFile, bytes);

        var keeper = EventFilter.Warning(contains: "is damaged (its checksum does not match)").ExpectOne(StartKeeper);
        LastRingOf(keeper).Should().BeNull();
        keeper.Tell(new GetRing(), TestActor);
        ExpectMsg<RingReply>().Status.Should().Be("127.0.0.1:4053 has applied no ring yet.");

        keeper.Tell(Publish(Ring.AtEpoch(1)));
        AwaitAssert(() => RingFile.Read(_dir.RingFile).Ring.Should().Be(Ring.AtEpoch(1), "a good ring replaces the damaged file"));

        File.Delete(_dir.RingFile);
        var fresh = EventFilter.Warning().Expect(0, StartKeeper);
        LastRingOf(fresh).Should().BeNull();
    }

    [Fact]
    public void A_ring_of_another_partition_count_is_refused_with_one_sentence_and_the_node_shuts_down()
    {
        var applied = CreateTestProbe();
        Sys.EventStream.Subscribe(applied.Ref, typeof(RingApplied));
        var keeper = StartKeeper();
        var other = RingPlanner.Plan(RingState.Empty(32, 3), MembersUpTo(3), 3);

        EventFilter.Error(message: PartitionCountRule.Mismatch(16, 32)).ExpectOne(() => keeper.Tell(Publish(other)));

        AwaitCondition(() => CoordinatedShutdown.Get(Sys).ShutdownReason is not null, TimeSpan.FromSeconds(20));
        CoordinatedShutdown.Get(Sys).ShutdownReason.Should().BeSameAs(PartitionCountMismatchReason.Instance);
        CoordinatedShutdown.Get(Sys).ShutdownReason!.ExitCode.Should().Be(2);
        applied.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        LastRingOf(keeper).Should().BeNull("a refused ring is not applied");
        RingFile.Read(_dir.RingFile).Ring.Should().BeNull("a refused ring is never saved");
    }

    [Fact]
    public void A_subscriber_gets_the_ring_at_once_then_every_ring_applied_until_it_ends_its_subscription()
    {
        var keeper = StartKeeper();
        var client = CreateTestProbe();
        keeper.Tell(new SubscribeRing { LeaseMs = long.MaxValue }, client.Ref); // any int64 is a lease (capped), never a crash
        client.ExpectMsg<RingReply>();
        keeper.Tell(new SubscribeRing { LeaseMs = 60_000 }, client.Ref);
        client.ExpectMsg<RingReply>().Status.Should().Be("127.0.0.1:4053 has applied no ring yet.", "answered at once, ring or not");

        keeper.Tell(Publish(Ring));
        RingWire.FromProtoOrNull(client.ExpectMsg<RingReply>().Ring).Should().Be(Ring);
        keeper.Tell(Publish(Ring), TestActor);
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // a republication of the same epoch is no change

        var next = Ring.WithPartition(0, Set([2, 1, 3])).AtEpoch(6);
        keeper.Tell(Publish(next));
        RingWire.FromProtoOrNull(client.ExpectMsg<RingReply>().Ring).Should().Be(next);

        keeper.Tell(new SubscribeRing { LeaseMs = 0 }, client.Ref);
        keeper.Tell(Publish(next.AtEpoch(7)));
        AwaitAssert(() => LastRingOf(keeper)!.Epoch.Should().Be(7));
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the subscription was ended
    }
}
