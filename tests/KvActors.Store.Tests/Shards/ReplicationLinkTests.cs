using KvActors.Store.Shards;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Tests.Shards;

/// <summary>The replicator's per-node batching, flow control and acknowledgements (pure bookkeeping, times given).</summary>
public sealed class ReplicationLinkTests
{
    private const string Self = "127.0.0.1:1";

    private static ReplicationLink Link(int maxItems = 4, int maxInFlight = 2) => new("127.0.0.1:2", maxItems, 1 << 20, maxInFlight);

    private static ReplicationItem Item(int partition) => new() { Partition = partition, Epoch = 1, From = Self };

    private static void Enqueue(ReplicationLink link, int count)
    {
        for (var i = 0; i < count; i++) link.Enqueue(Item(i));
    }

    [Fact]
    public void With_nothing_in_flight_the_queue_goes_at_once_and_later_items_wait_for_the_acknowledgement()
    {
        var link = Link();
        Enqueue(link, 2);

        var first = link.TakeDue(Self, now: 0);
        first.Should().ContainSingle().Which.Items.Should().HaveCount(2);
        Enqueue(link, 1);
        link.TakeDue(Self, now: 1).Should().BeEmpty("a batch is in flight and the queue is not a whole batch");

        link.Acknowledged(first[0].BatchId);
        link.TakeDue(Self, now: 2).Should().ContainSingle().Which.Items.Should().HaveCount(1);
    }

    [Fact]
    public void A_whole_batch_goes_while_another_is_in_flight_but_never_beyond_the_window()
    {
        var link = Link(maxItems: 2, maxInFlight: 2);
        Enqueue(link, 7);

        var batches = link.TakeDue(Self, now: 0);

        batches.Should().HaveCount(2, "two batches fill the window");
        batches.Select(b => b.Items.Count).Should().Equal(2, 2);
        link.HasFullBatch.Should().BeFalse();
        link.Queued.Should().Be(3);
    }

    [Fact]
    public void An_owed_acknowledgement_rides_on_the_next_batch_to_the_node()
    {
        var link = Link();
        link.Received(batchId: 7);
        link.TakeLoneAck(Self).Should().BeNull("it may wait one flush for a batch to ride on");
        Enqueue(link, 1);

        var batch = link.TakeDue(Self, now: 0).Single();

        batch.AcksThroughBatchId.Should().Be(7);
        link.OwesAck.Should().BeFalse();
        link.TakeLoneAck(Self).Should().BeNull();
    }

    [Fact]
    public void An_acknowledgement_that_finds_no_batch_goes_alone_at_the_next_flush()
    {
        var link = Link();
        link.Received(batchId: 3);
        link.TakeLoneAck(Self).Should().BeNull();
        link.Received(batchId: 4);

        var ack = link.TakeLoneAck(Self);

        ack.Should().NotBeNull("it has waited one flush since batch 3 arrived, even though batch 4 came since");
        ack!.ThroughBatchId.Should().Be(4);
        ack.FromNode.Should().Be(Self);
        link.OwesAck.Should().BeFalse();
    }

    [Fact]
    public void An_acknowledgement_never_waits_for_this_sides_window()
    {
        // Both nodes have a batch in flight to the other: each must acknowledge alone, or both would wait forever.
        var link = Link(maxItems: 4, maxInFlight: 1);
        Enqueue(link, 1);
        link.TakeDue(Self, now: 0).Should().ContainSingle();
        link.Received(batchId: 1);
        Enqueue(link, 1);

        link.TakeDue(Self, now: 1).Should().BeEmpty();
        link.TakeLoneAck(Self).Should().BeNull();
        link.TakeDue(Self, now: 2).Should().BeEmpty();

        link.TakeLoneAck(Self)!.ThroughBatchId.Should().Be(1);
    }

    [Fact]
    public void Batches_unacknowledged_past_the_timeout_are_given_up()
    {
        var link = Link(maxItems: 1, maxInFlight: 2);
        Enqueue(link, 3);
        link.TakeDue(Self, now: 0).Should().HaveCount(2);

        link.ExpireSentBefore(0).Should().BeFalse();
        link.ExpireSentBefore(1).Should().BeTrue();

        link.InFlight.Should().Be(0);
        link.TakeDue(Self, now: 5).Should().ContainSingle();
    }

    [Fact]
    public void Batch_ids_increase_and_an_acknowledgement_frees_every_batch_through_its_id()
    {
        var link = Link(maxItems: 1, maxInFlight: 3);
        Enqueue(link, 3);
        var batches = link.TakeDue(Self, now: 0);
        batches.Select(b => b.BatchId).Should().Equal(1, 2, 3);

        link.Acknowledged(2);

        link.InFlight.Should().Be(1);
    }
}
