using KvActors.Hocon;

namespace KvActors.Dispatch;

/// <summary>
/// Runs mailboxes on the .NET thread pool, whose worker count starts at the number of cores.
/// A mailbox processes up to <see cref="Throughput"/> messages per turn and then yields the
/// thread, so one busy actor cannot starve the others.
/// </summary>
public sealed class Dispatcher
{
    public Dispatcher(int throughput)
    {
        if (throughput < 1) throw new ArgumentOutOfRangeException(nameof(throughput), "throughput must be at least 1.");
        Throughput = throughput;
    }

    public int Throughput { get; }

    public static Dispatcher FromConfig(Config config) =>
        new(config.GetInt("kvactors.actor.default-dispatcher.throughput", 30));

    internal void Schedule(Mailbox mailbox) =>
        ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false);
}
