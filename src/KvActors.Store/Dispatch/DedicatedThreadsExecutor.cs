using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace KvActors.Store.Dispatch;

/// <summary>
/// An Akka executor on a few dedicated threads whose idle workers block at once. Used for the cluster's and remoting's
/// actors (<c>akka.actor.cluster-dispatcher</c> in reference.conf), so heartbeats never queue behind the partitions'
/// work on the .NET thread pool.
/// </summary>
/// <remarks>
/// Akka.NET ships dedicated threads only through Helios' DedicatedThreadPool (fork-join-executor, ForkJoinDispatcher,
/// PinnedDispatcher), whose idle workers call Thread.Sleep(0) 50-100 times before they block, with no setting to turn
/// that off. Every message to a cluster or remoting actor wakes a worker, so that spinning was about 14% of a busy
/// kvnode's CPU samples (perf, 3-node puts), each Sleep(0) a context switch while the partitions want the cores.
/// Configured as <c>executor = "KvActors.Store.Dispatch.DedicatedThreadsExecutorConfigurator, KvActors.Store"</c> with
/// <c>dedicated-threads.thread-count</c>.
/// </remarks>
public sealed class DedicatedThreadsExecutorConfigurator : ExecutorServiceConfigurator
{
    private readonly int _threads;

    public DedicatedThreadsExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
        _threads = config.GetInt("dedicated-threads.thread-count", 0);
        if (_threads is < 1 or > 64)
            throw new ConfigurationException(
                $"dedicated-threads.thread-count of dispatcher {config.GetString("id", "?")} must be between 1 and 64, got {_threads}.");
    }

    public override ExecutorService Produce(string id) => new DedicatedThreadsExecutor(id, _threads, Prerequisites.EventStream);
}

/// <summary>FIFO work on <c>threads</c> background threads; a worker with nothing to do waits on a monitor (no spinning).</summary>
internal sealed class DedicatedThreadsExecutor : ExecutorService
{
    private readonly Queue<IRunnable> _work = new();
    private readonly object _gate = new(); // a monitor, not a Lock: workers wait on it
    private readonly EventStream _events;
    private int _idle;
    private bool _shutDown;

    public DedicatedThreadsExecutor(string id, int threads, EventStream events) : base(id)
    {
        _events = events;
        for (var i = 0; i < threads; i++)
            new Thread(Work) { IsBackground = true, Name = $"{id}-{i}" }.Start();
    }

    public override void Execute(IRunnable run)
    {
        lock (_gate)
        {
            if (_shutDown)
                throw new RejectedExecutionException($"The executor of dispatcher {Id} is shut down.");
            _work.Enqueue(run);
            if (_idle > 0)
                Monitor.Pulse(_gate);
        }
    }

    public override void Shutdown()
    {
        lock (_gate)
        {
            _shutDown = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void Work()
    {
        while (true)
        {
            IRunnable run;
            lock (_gate)
            {
                while (_work.Count == 0)
                {
                    if (_shutDown) return;
                    _idle++;
                    Monitor.Wait(_gate);
                    _idle--;
                }
                run = _work.Dequeue();
            }
            try
            {
                run.Run();
            }
            catch (Exception e)
            {
                // A mailbox run handles its actor's failures itself; anything else must not cost the dispatcher a thread.
                _events.Publish(new Error(e, Id, typeof(DedicatedThreadsExecutor), $"A task on dispatcher {Id} failed: {e.Message}"));
            }
        }
    }
}
