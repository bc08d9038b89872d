using System.Collections.Concurrent;
using KvActors.Client;
using KvActors.Store.Wire.Store;

namespace KvActors.Store.Tests.Client;

/// <summary>KvClient's table of attempts awaiting answers: matching, where callers' continuations run, the timeout sweep, rerouting.</summary>
public sealed class PendingRepliesTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<long> _expired = new();

    [ThreadStatic] private static bool _answering;

    private static KvReply Answer(long id) => new() { ClientId = "c", RequestId = id, ReadDone = new ReadDone { Found = false } };

    [Fact]
    public async Task Answers_of_one_message_complete_their_attempts_and_others_are_dropped()
    {
        var pending = new PendingReplies(_expired.Enqueue);
        var first = pending.Add(1, Deadline, 0, "n1");
        var second = pending.Add(2, Deadline, 0, "n1");
        var unanswered = pending.Add(3, Deadline, 0, "n1");

        pending.Answered([Answer(2), Answer(1), Answer(9)]);

        (await first.Task.WaitAsync(Deadline))!.RequestId.Should().Be(1);
        (await second.Task.WaitAsync(Deadline))!.RequestId.Should().Be(2);
        unanswered.Task.IsCompleted.Should().BeFalse();
        pending.Count.Should().Be(1);
        pending.Withdraw(3, unanswered).Should().BeTrue();
        pending.Withdraw(3, unanswered).Should().BeFalse("it was withdrawn already");
    }

    /// <summary>Callers' continuations must never run on the thread that delivers answers (the courier's).</summary>
    [Fact]
    public async Task Continuations_never_run_on_the_answering_thread()
    {
        var pending = new PendingReplies(_expired.Enqueue);
        var attempt = pending.Add(1, Deadline, 0, "n1");
        var ranInside = attempt.Task.ContinueWith(_ => _answering, TaskContinuationOptions.ExecuteSynchronously);

        _answering = true;
        try { pending.Answered([Answer(1)]); }
        finally { _answering = false; }

        (await ranInside.WaitAsync(Deadline)).Should().BeFalse();
    }

    /// <summary>
    /// A caller that blocks on one request inside the continuation of another, both answered in one message, must not
    /// wait for ever: the second answer may not be queued behind the first caller's continuation.
    /// </summary>
    [Fact]
    public async Task A_caller_blocking_on_one_answer_inside_another_answers_continuation_is_not_stuck()
    {
        var pending = new PendingReplies(_expired.Enqueue);
        var first = pending.Add(1, Deadline, 0, "n1");
        var second = pending.Add(2, Deadline, 0, "n1");
        var blocked = first.Task.ContinueWith(_ => second.Task.Wait(Deadline), TaskContinuationOptions.ExecuteSynchronously);

        pending.Answered([Answer(1), Answer(2)]);

        (await blocked.WaitAsync(Deadline)).Should().BeTrue("the second answer completed while the first caller waited for it");
    }

    [Fact]
    public async Task An_attempt_not_answered_in_time_gets_null_and_is_reported_expired()
    {
        var pending = new PendingReplies(_expired.Enqueue);
        var slow = pending.Add(1, TimeSpan.FromMilliseconds(30), 0, "n1");
        var patient = pending.Add(2, Deadline, 0, "n1");

        (await slow.Task.WaitAsync(Deadline)).Should().BeNull();

        _expired.Should().Equal(1);
        patient.Task.IsCompleted.Should().BeFalse();
        pending.Answered([Answer(1)]); // a late answer: nobody waits for it any more
        pending.Count.Should().Be(1);
    }

    [Fact]
    public async Task The_sweep_starts_again_for_attempts_added_after_it_went_idle()
    {
        var pending = new PendingReplies(_expired.Enqueue);
        (await pending.Add(1, TimeSpan.Zero, 0, "n1").Task.WaitAsync(Deadline)).Should().BeNull();
        KvActors.TestKit.Awaiting.AwaitCondition(() => pending.Count == 0, Deadline);

        (await pending.Add(2, TimeSpan.FromMilliseconds(10), 0, "n1").Task.WaitAsync(Deadline)).Should().BeNull();

        _expired.Should().Equal(1, 2);
    }

    [Fact]
    public async Task A_reroute_ends_at_once_only_the_attempts_whose_primary_moved_and_reports_them_no_longer_in_flight()
    {
        var pending = new PendingReplies(_expired.Enqueue);
        var toDeadNode = pending.Add(1, Deadline, 7, "n3");
        var otherPartition = pending.Add(2, Deadline, 8, "n3");
        var stillPrimary = pending.Add(3, Deadline, 7, "n2");

        pending.Reroute(a => a.Partition == 7 && a.Node != "n2").Should().Be(1);

        (await toDeadNode.Task.WaitAsync(Deadline)).Should().BeNull("a rerouted attempt ends without an answer, long before its deadline");
        toDeadNode.Rerouted.Should().BeTrue();
        _expired.Should().Equal(1);
        otherPartition.Task.IsCompleted.Should().BeFalse();
        stillPrimary.Task.IsCompleted.Should().BeFalse();
        pending.Answered([Answer(1)]); // the old primary's late answer: nobody waits for it any more
        pending.Count.Should().Be(2);
        pending.Reroute(_ => true).Should().Be(2);
        otherPartition.Rerouted.Should().BeTrue();
    }
}
