using KvActors.Storage.Engine;

namespace KvActors.Storage.Tests;

public sealed class SharedRunsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Requests_made_during_a_run_are_served_together_by_the_next_run()
    {
        var firstRunStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirstRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = new List<int[]>();
        var runs = new SharedRuns<int, string>(keys =>
        {
            lock (batches) batches.Add(keys.Order().ToArray());
            if (batches.Count == 1)
            {
                firstRunStarted.SetResult();
                releaseFirstRun.Task.Wait(Deadline);
            }
            return keys.ToDictionary(k => k, k => $"p{k}");
        });

        var first = runs.Request(0);
        await firstRunStarted.Task.WaitAsync(Deadline);
        var later = Enumerable.Range(1, 10).Select(runs.Request).Append(runs.Request(3)).ToArray();
        releaseFirstRun.SetResult();

        (await first.WaitAsync(Deadline)).Should().Be("p0");
        (await Task.WhenAll(later).WaitAsync(Deadline)).Should().Equal("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p3");
        runs.Runs.Should().Be(2);
        batches[1].Should().Equal(Enumerable.Range(1, 10), "every request made while the first run was under way waits for one more run");
    }

    [Fact]
    public async Task A_failed_run_fails_its_callers_and_the_next_request_runs_again()
    {
        var fail = true;
        var runs = new SharedRuns<int, int>(keys => fail ? throw new IOException("disk gone") : keys.ToDictionary(k => k, k => k * 2));

        await FluentActions.Awaiting(() => runs.Request(1).WaitAsync(Deadline)).Should().ThrowAsync<IOException>().WithMessage("disk gone");
        fail = false;
        (await runs.Request(2).WaitAsync(Deadline)).Should().Be(4);
    }
}
