using KvActors.Resp.Server;

namespace KvActors.Resp.Tests.Server;

/// <summary><see cref="ResumeOnThreadPool{T}"/>: the connection's writer never runs on the thread that completed a reply.</summary>
public sealed class ResumeOnThreadPoolTests
{
    [Fact]
    public async Task A_reply_completed_on_another_thread_resumes_the_writer_on_the_thread_pool()
    {
        var completion = new TaskCompletionSource<int>(); // continuations run inline on the completing thread, as a store reply's do
        var completer = new Thread(() => completion.SetResult(7)) { IsBackground = true, Name = "completer" };
        var waiting = ResumeAfter(new ValueTask<int>(completion.Task));
        completer.Start();

        var (value, name, pooled) = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        value.Should().Be(7);
        name.Should().NotBe("completer");
        pooled.Should().BeTrue();
    }

    [Fact]
    public async Task A_completed_reply_is_read_without_waiting()
    {
        var (value, _, _) = await ResumeAfter(ValueTask.FromResult(3)).WaitAsync(TimeSpan.FromSeconds(10));
        value.Should().Be(3);
    }

    private static async Task<(int Value, string? Thread, bool Pooled)> ResumeAfter(ValueTask<int> reply)
    {
        var value = await new ResumeOnThreadPool<int>(reply);
        return (value, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread);
    }
}
