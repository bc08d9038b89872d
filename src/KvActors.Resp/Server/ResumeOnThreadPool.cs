using System.Runtime.CompilerServices;

namespace KvActors.Resp.Server;

/// <summary>
/// Awaits a reply and, when it was not complete yet, resumes on the thread pool whichever thread completes it: a GET or
/// SET completes on the thread of the partition actor that answered (<see cref="Cluster.IRespStore.GetForReplyAsync"/>),
/// and the connection's writing must not run there. One hop per wait of the writer, not one per command: the replies of
/// a pipelined burst that completed meanwhile are written without any.
/// </summary>
internal readonly struct ResumeOnThreadPool<T>(ValueTask<T> reply) : ICriticalNotifyCompletion
{
    public ResumeOnThreadPool<T> GetAwaiter() => this;

    public bool IsCompleted => reply.IsCompleted;

    public T GetResult() => reply.GetAwaiter().GetResult();

    public void OnCompleted(Action continuation) =>
        reply.ConfigureAwait(false).GetAwaiter().OnCompleted(
            () => ThreadPool.QueueUserWorkItem(static resume => resume(), continuation, preferLocal: true));

    public void UnsafeOnCompleted(Action continuation) =>
        reply.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(
            () => ThreadPool.UnsafeQueueUserWorkItem(static resume => resume(), continuation, preferLocal: true));
}
