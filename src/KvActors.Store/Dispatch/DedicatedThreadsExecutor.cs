using System.Runtime.CompilerServices;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace KvActors.Store.Dispatch;

/// <summary>
/// An Akka executor on <see cref="DedicatedThreads"/>, configured as
/// <c>executor = "KvActors.Store.Dispatch.DedicatedThreadsExecutorConfigurator, KvActors.Store"</c> with
/// <c>dedicated-threads { thread-count, pool, priority }</c>. Dispatchers that name the same <c>pool</c> share its
/// threads (one set per actor system); <c>priority = high</c> work runs before the others' queued work. reference.conf
/// gives the cluster's and remoting's actors threads of their own (and says what sharing them with the partitions' actors
/// measured).
/// </summary>
/// <remarks>
/// Akka.NET ships dedicated threads only through Helios' DedicatedThreadPool (fork-join-executor, ForkJoinDispatcher,
/// PinnedDispatcher), whose idle workers call Thread.Sleep(0) 50-100 times before they block, with no setting to turn
/// that off, and it has no way to share threads between dispatchers with a priority between them.
/// </remarks>
public sealed class DedicatedThreadsExecutorConfigurator : ExecutorServiceConfigurator
{
    private static readonly ConditionalWeakTable<EventStream, Dictionary<string, DedicatedThreads>> Pools = new();

    private readonly int _threads;
    private readonly string _pool;
    private readonly bool _high;

    public DedicatedThreadsExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
        var id = config.GetString("id", "?");
        _threads = config.GetInt("dedicated-threads.thread-count", 0);
        if (_threads is < 1 or > 64)
            throw new ConfigurationException(
                $"dedicated-threads.thread-count of dispatcher {id} must be between 1 and 64, got {_threads}.");
        _pool = config.GetString("dedicated-threads.pool", "") ?? "";
        var priority = config.GetString("dedicated-threads.priority", "normal");
        _high = priority switch
        {
            "high" => true,
            null or "" or "normal" => false,
            _ => throw new ConfigurationException(
                $"dedicated-threads.priority of dispatcher {id} must be high or normal, got '{priority}'."),
        };
    }

    public override ExecutorService Produce(string id) =>
        new DedicatedThreadsExecutor(id, _pool.Length == 0 ? Own(id) : Shared(id), _high);

    private DedicatedThreads Own(string id)
    {
        var threads = new DedicatedThreads(id, _threads, Prerequisites.EventStream);
        threads.TryAddUser();
        return threads;
    }

    /// <summary>The actor system's threads of this pool, started by the first dispatcher that asks (again after all let go).</summary>
    private DedicatedThreads Shared(string id)
    {
        var pools = Pools.GetOrCreateValue(Prerequisites.EventStream);
        lock (pools)
        {
            if (!pools.TryGetValue(_pool, out var threads) || !threads.TryAddUser())
            {
                threads = new DedicatedThreads(_pool, _threads, Prerequisites.EventStream);
                threads.TryAddUser();
                pools[_pool] = threads;
            }
            else if (threads.Threads != _threads)
            {
                threads.RemoveUser();
                throw new ConfigurationException(
                    $"dedicated-threads.thread-count of dispatcher {id} is {_threads}, but pool {_pool} has {threads.Threads} threads; give every dispatcher of a pool the same count.");
            }
            return threads;
        }
    }
}

/// <summary>One dispatcher's handle on <see cref="DedicatedThreads"/>, maybe shared with other dispatchers.</summary>
internal sealed class DedicatedThreadsExecutor(string id, DedicatedThreads threads, bool high) : ExecutorService(id)
{
    private int _shutDown;

    public override void Execute(IRunnable run)
    {
        if (Volatile.Read(ref _shutDown) != 0)
            throw new RejectedExecutionException($"The executor of dispatcher {Id} is shut down.");
        threads.Execute(run, high, Id);
    }

    public override void Shutdown()
    {
        if (Interlocked.Exchange(ref _shutDown, 1) == 0)
            threads.RemoveUser();
    }
}
