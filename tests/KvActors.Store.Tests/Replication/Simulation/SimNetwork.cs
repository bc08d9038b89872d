namespace KvActors.Store.Tests.Replication.Simulation;

/// <summary>
/// Delivers messages between endpoints through the event queue: random delay, occasional long delay (reordering),
/// drops, duplicates, and directed link cuts that heal (a cut also drops what is in flight on it).
/// </summary>
public sealed class SimNetwork(EventQueue queue, Random random, SimulationOptions options, Action<string, string, object> deliver)
{
    private readonly Dictionary<(string From, string To), int> cuts = new();

    public long Sent { get; private set; }
    public long Dropped { get; private set; }

    public bool IsCut(string from, string to) => cuts.ContainsKey((from, to));

    public void Cut(string from, string to) => cuts[(from, to)] = cuts.GetValueOrDefault((from, to)) + 1;

    public void Heal(string from, string to)
    {
        if (cuts.TryGetValue((from, to), out var n))
        {
            if (n <= 1)
                cuts.Remove((from, to));
            else
                cuts[(from, to)] = n - 1;
        }
    }

    public void HealAll() => cuts.Clear();

    public int CutCount => cuts.Count;

    public void Send(string from, string to, object message)
    {
        Sent++;
        if (IsCut(from, to) || random.NextDouble() < options.DropRate)
        {
            Dropped++;
            return;
        }
        Schedule(from, to, message);
        if (random.NextDouble() < options.DuplicateRate)
            Schedule(from, to, message);
    }

    private void Schedule(string from, string to, object message)
    {
        var delay = options.MinDelayMs + random.NextInt64(options.MaxDelayMs - options.MinDelayMs + 1);
        if (random.NextDouble() < options.ReorderRate)
            delay += random.NextInt64(options.ReorderExtraMs);
        queue.After(delay, () =>
        {
            if (IsCut(from, to))
                Dropped++;
            else
                deliver(from, to, message);
        });
    }
}
