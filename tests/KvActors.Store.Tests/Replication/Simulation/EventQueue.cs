namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>The virtual clock and the events scheduled on it; ties run in scheduling order, so a run is a function of its seed.</summary>
public sealed class EventQueue
{
    private readonly PriorityQueue<Action, (long At, long Order)> queue = new();
    private long order;

    public long Now { get; private set; }

    public int Count => queue.Count;

    public void At(long time, Action action) => queue.Enqueue(action, (Math.Max(time, Now), order++));

    public void After(long delay, Action action) => At(Now + delay, action);

    /// <summary>Runs the next event; false when none is left.</summary>
    public bool Step()
    {
        if (!queue.TryDequeue(out var action, out var key))
            return false;
        Now = key.At;
        action();
        return true;
    }
}
