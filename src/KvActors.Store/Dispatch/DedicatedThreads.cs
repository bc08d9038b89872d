using System.Diagnostics;
using Akka.Dispatch;
using Akka.Event;

namespace KvActors.Store.Dispatch;

/// <summary>
/// A few background threads that run the work of one or more Akka dispatchers (<see cref="DedicatedThreadsExecutor"/>
/// handles), high-priority work first. Idle threads block at once (no spinning), and a sleeping thread is woken only
/// when the work needs it: when no thread is running, when the queue has grown to <see cref="WakeBacklog"/>, or when no
/// running thread has started anything for <see cref="StallAfter"/> (one of them is stuck on a long task). A sleeping
/// thread also looks again on its own, after <see cref="StallAfter"/> and then less often up to <see cref="MaxNap"/>, so
/// queued work does not wait on a stuck thread for long even when nothing new arrives.
/// </summary>
/// <remarks>
/// Why: on a busy node most messages go from one actor to another (endpoint reader -> shard host -> shard -> replicator
/// -> endpoint writer). When each hop wakes a sleeping thread, the futex wake-ups and context switches cost more than the
/// work (3-node bench store, RF 3: 16 futex calls and 9 context switches per put on Akka's thread pool plus a separate
/// remoting executor; 8 and 5 with all of them on one shared pool). A thread that is already running takes the next
/// hop's work itself. The .NET thread pool and
/// Akka's fork-join executor both wake (or spin up) another thread for nearly every queued item, and neither can give
/// one dispatcher's work priority over another's on shared threads, so this is ours.
/// </remarks>
internal sealed class DedicatedThreads
{
    /// <summary>Queued items that justify waking another thread although one is running.</summary>
    public const int WakeBacklog = 64;

    /// <summary>How long running threads may go without starting an item before a sleeping one helps.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromMilliseconds(2);

    /// <summary>The longest a sleeping thread goes without looking at the queue.</summary>
    public static readonly TimeSpan MaxNap = TimeSpan.FromMilliseconds(100);

    private static readonly long StallTicks = (long)(StallAfter.TotalSeconds * Stopwatch.Frequency);

    private readonly Queue<IRunnable> _high = new();
    private readonly Queue<IRunnable> _normal = new();
    private readonly object _gate = new(); // a monitor, not a Lock: workers wait on it
    private readonly EventStream _events;
    private int _idle;
    private int _running;
    private long _lastStart; // Stopwatch ticks when a thread last took an item
    private int _users;
    private bool _shutDown;

    public DedicatedThreads(string name, int threads, EventStream events)
    {
        Name = name;
        Threads = threads;
        _events = events;
        _running = threads;
        for (var i = 0; i < threads; i++)
            new Thread(Work) { IsBackground = true, Name = $"{name}-{i}" }.Start();
    }

    public string Name { get; }

    public int Threads { get; }

    /// <summary>Counts one more dispatcher on these threads; false once they are shut down (the caller makes new ones).</summary>
    public bool TryAddUser()
    {
        lock (_gate)
        {
            if (_shutDown)
                return false;
            _users++;
            return true;
        }
    }

    /// <summary>One dispatcher is done with these threads; the last one stops them.</summary>
    public void RemoveUser()
    {
        lock (_gate)
        {
            if (--_users > 0)
                return;
            _shutDown = true;
            Monitor.PulseAll(_gate);
        }
    }

    public void Execute(IRunnable run, bool high, string dispatcher)
    {
        lock (_gate)
        {
            if (_shutDown)
                throw new RejectedExecutionException($"The executor of dispatcher {dispatcher} is shut down.");
            (high ? _high : _normal).Enqueue(run);
            if (_idle > 0 && (_running == 0 || Queued >= WakeBacklog || Stalled()))
                Monitor.Pulse(_gate);
        }
    }

    private int Queued => _high.Count + _normal.Count;

    /// <summary>Under the gate: no running thread has started an item for <see cref="StallAfter"/>.</summary>
    private bool Stalled() => Stopwatch.GetTimestamp() - _lastStart >= StallTicks;

    private void Work()
    {
        var mayTake = true; // after an item of its own, or when woken to help
        var nap = StallAfter;
        while (true)
        {
            IRunnable run;
            lock (_gate)
            {
                while (Queued == 0 || !mayTake)
                {
                    if (_shutDown) return;
                    _running--;
                    _idle++;
                    // Never asleep for good: others may be stuck on a long task with work queued and nothing new
                    // arriving. The nap doubles while there is nothing to do (an idle node wakes each thread ~10 times a second).
                    var pulsed = Monitor.Wait(_gate, nap);
                    _idle--;
                    _running++;
                    mayTake = pulsed || _running == 1 || Stalled();
                    if (!pulsed)
                        nap = TimeSpan.FromTicks(Math.Min(nap.Ticks * 2, MaxNap.Ticks));
                }
                run = _high.Count > 0 ? _high.Dequeue() : _normal.Dequeue();
                _lastStart = Stopwatch.GetTimestamp();
            }
            nap = StallAfter;
            mayTake = true;
            try
            {
                run.Run();
            }
            catch (Exception e)
            {
                // A mailbox run handles its actor's failures itself; anything else must not cost the dispatcher a thread.
                _events.Publish(new Error(e, Name, typeof(DedicatedThreads), $"A task on the threads {Name} failed: {e.Message}"));
            }
        }
    }
}
