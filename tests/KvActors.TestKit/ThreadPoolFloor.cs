namespace KvActors.TestKit;

/// <summary>
/// Raises the .NET thread pool's minimum of worker threads for a test process that hosts in-process cluster nodes.
/// </summary>
/// <remarks>
/// The harness and Akka's TestKit wait synchronously on pool threads (the throttler's management command, an actor
/// system's termination, AwaitAssert), and the in-process nodes run on the same pool. On a 2-core machine the pool starts
/// with 2 workers and adds one about every half second when they are all blocked, so such a wait stalled every node of
/// the process for 1-2 s: "heartbeat was delayed" warnings in 6 of 7 PrimaryCrashSpecs runs, and twice a replica
/// dropped as silent, leaving a partition no successor (2 of 27 runs failed). With a floor of 16 workers: no delayed
/// heartbeat and no failure in 15 runs. A thread above what work needs only sleeps.
/// </remarks>
public static class ThreadPoolFloor
{
    public const int Workers = 16;

    public static void Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < Workers) ThreadPool.SetMinThreads(Workers, io);
    }
}
