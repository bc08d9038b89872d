using Akka.Actor;
using Akka.Configuration;
using KvActors.Store.Replication;
using KvActors.Store.Shards;
using Xunit.Abstractions;

namespace KvActors.Store.Tests.Shards;

/// <summary>The shard host's scatter-gather of partition statistics, with probes as partition actors.</summary>
public sealed class StatsGathererTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString(KvActors.TestKit.TestKitSettings.AkkaTestConfig), "stats", output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static PartitionStats Report(int partition) =>
        new(partition, ReplicaRole.Primary, 1, 2, 2, 1, 10, 0, new Dictionary<string, long>());

    private sealed record Answer(IReadOnlyList<PartitionStats> Reports, int Unanswered);

    [Fact]
    public void It_answers_as_soon_as_every_partition_has_reported()
    {
        var shards = new[] { CreateTestProbe(), CreateTestProbe() };
        Sys.ActorOf(StatsGatherer.Props([.. shards.Select(s => s.Ref)], TimeSpan.FromMinutes(5), TestActor, (r, u) => new Answer(r, u)));

        for (var i = 0; i < shards.Length; i++)
        {
            shards[i].ExpectMsg<GetPartitionStats>(Wait);
            shards[i].Reply(Report(i));
        }

        var answer = ExpectMsg<Answer>(Wait, "well before the five-minute deadline");
        answer.Reports.Select(r => r.Partition).Should().Equal(0, 1);
        answer.Unanswered.Should().Be(0);
    }

    /// <summary>Fault: one partition actor never answers. Invariant: the request is answered at its deadline with the others, the silent one counted.</summary>
    [Fact]
    public void A_silent_partition_is_counted_as_unanswered_at_the_deadline_not_waited_for()
    {
        var answering = CreateTestProbe();
        var silent = CreateTestProbe();
        var gatherer = Sys.ActorOf(StatsGatherer.Props([answering.Ref, silent.Ref], TimeSpan.FromMilliseconds(300), TestActor, (r, u) => new Answer(r, u)));
        Watch(gatherer);

        answering.ExpectMsg<GetPartitionStats>(Wait);
        answering.Reply(Report(4));
        silent.ExpectMsg<GetPartitionStats>(Wait);

        var answer = ExpectMsg<Answer>(Wait);
        answer.Reports.Should().ContainSingle().Which.Partition.Should().Be(4);
        answer.Unanswered.Should().Be(1);
        ExpectTerminated(gatherer, Wait);
    }

    [Fact]
    public void A_node_holding_no_partition_answers_at_once()
    {
        Sys.ActorOf(StatsGatherer.Props(Array.Empty<IActorRef>(), TimeSpan.FromMinutes(5), TestActor, (r, u) => new Answer(r, u)));

        var answer = ExpectMsg<Answer>(Wait);
        answer.Reports.Should().BeEmpty();
        answer.Unanswered.Should().Be(0);
    }
}
