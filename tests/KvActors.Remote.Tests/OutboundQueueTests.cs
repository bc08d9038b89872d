using KvActors.Remote.Transport;

namespace KvActors.Remote.Tests;

/// <summary>The association's batch queue: order, bound, hand-back, drain and completion.</summary>
public class OutboundQueueTests
{
    private static OutboundEnvelope Env(int i) => new("/user/r", null, i);

    [Fact]
    public void Frames_come_out_in_order_as_one_contiguous_batch()
    {
        var q = new OutboundQueue(limit: 100);
        for (var i = 0; i < 10; i++) q.TryEnqueue(new[] { (byte)i, (byte)i }, Env(i)).Should().Be(OutboundQueue.EnqueueResult.Enqueued);
        var batch = q.TryTake()!;
        batch.Bytes.ToArray().Should().Equal(Enumerable.Range(0, 10).SelectMany(i => new[] { (byte)i, (byte)i }));
        batch.Envelopes.Select(e => e.Message).Should().Equal(Enumerable.Range(0, 10).Cast<object>());
        q.TryTake().Should().BeNull("the next batch is empty until someone sends");
        q.Count.Should().Be(10, "a batch being written still counts against the bound");
        q.Return(batch);
        q.Count.Should().Be(0);
    }

    [Fact]
    public void Sending_continues_into_the_other_batch_while_one_is_written()
    {
        var q = new OutboundQueue(limit: 100);
        q.TryEnqueue(new byte[] { 1 }, Env(1));
        var writing = q.TryTake()!;
        q.TryEnqueue(new byte[] { 2 }, Env(2));
        q.TryTake().Should().BeNull("one batch at a time is handed to the writer");
        q.Return(writing);
        q.TryTake()!.Bytes.ToArray().Should().Equal(new byte[] { 2 });
    }

    [Fact]
    public void The_bound_counts_queued_and_in_flight_messages()
    {
        var q = new OutboundQueue(limit: 2);
        q.TryEnqueue(new byte[] { 1 }, Env(1));
        var writing = q.TryTake()!;
        q.TryEnqueue(new byte[] { 2 }, Env(2)).Should().Be(OutboundQueue.EnqueueResult.Enqueued);
        q.TryEnqueue(new byte[] { 3 }, Env(3)).Should().Be(OutboundQueue.EnqueueResult.Full);
        q.Return(writing);
        q.TryEnqueue(new byte[] { 3 }, Env(3)).Should().Be(OutboundQueue.EnqueueResult.Enqueued);
    }

    [Fact]
    public void Large_frames_grow_the_batch()
    {
        var q = new OutboundQueue(limit: 10);
        var big = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        q.TryEnqueue(new byte[] { 9 }, Env(0));
        q.TryEnqueue(big, Env(1));
        q.TryTake()!.Bytes.ToArray().Should().Equal(new byte[] { 9 }.Concat(big));
    }

    [Fact]
    public void Drain_hands_back_the_queued_envelopes()
    {
        var q = new OutboundQueue(limit: 10);
        q.TryEnqueue(new byte[] { 1 }, Env(1));
        q.TryEnqueue(new byte[] { 2 }, Env(2));
        var dropped = new List<OutboundEnvelope>();
        q.DrainTo(dropped);
        dropped.Select(e => e.Message).Should().Equal(1, 2);
        q.Count.Should().Be(0);
        q.TryTake().Should().BeNull();
    }

    [Fact]
    public async Task A_sleeping_writer_wakes_on_the_first_message_and_on_completion()
    {
        var q = new OutboundQueue(limit: 10);
        var wait = q.WaitAsync(CancellationToken.None).AsTask();
        wait.IsCompleted.Should().BeFalse();
        q.TryEnqueue(new byte[] { 1 }, Env(1));
        (await wait.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        q.Return(q.TryTake()!);

        var second = q.WaitAsync(CancellationToken.None).AsTask();
        q.Complete();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeFalse();
        q.TryEnqueue(new byte[] { 2 }, Env(2)).Should().Be(OutboundQueue.EnqueueResult.Completed);
    }
}
