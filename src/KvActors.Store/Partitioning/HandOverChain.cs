namespace KvActors.Store.Partitioning;

/// <summary>
/// Evens out a per-node count (replicas or primaries) one unit at a time through a chain of hand-overs:
/// A gives its place in one partition to B, B gives its place in another to C, and so on, so only the two
/// ends change count. A direct hand-over is a chain of one; a longer chain finds the balance a direct one
/// cannot when the most and least loaded nodes share no partition where the hand-over is allowed.
/// Each chain lowers the spread of counts, so repeating the search ends.
/// </summary>
internal static class HandOverChain
{
    /// <summary>In <see cref="Partition"/>, <see cref="From"/> gives its place to <see cref="To"/>.</summary>
    internal readonly record struct Step(int Partition, NodeId From, NodeId To);

    /// <summary>
    /// The shortest chain from a node (the most loaded first) to one with at least two fewer, or null when
    /// none exists. The caller applies the steps in order and moves one unit of count from the first node to the last.
    /// </summary>
    /// <param name="nodes">Every node that holds some count.</param>
    /// <param name="receivers">The nodes a hand-over may go to (a leaving node or a mere learner only gives).</param>
    /// <param name="count">The count per node.</param>
    /// <param name="handOvers">The hand-overs a node could make right now, each to one of <paramref name="receivers"/>.</param>
    public static IReadOnlyList<Step>? Find(
        IReadOnlyList<NodeId> nodes,
        IReadOnlyCollection<NodeId> receivers,
        IReadOnlyDictionary<NodeId, int> count,
        Func<NodeId, IEnumerable<(int Partition, NodeId To)>> handOvers)
    {
        if (receivers.Count == 0)
            return null;
        var fewest = receivers.Min(n => count[n]);
        foreach (var start in nodes.OrderByDescending(n => count[n]).ThenBy(n => n))
        {
            if (count[start] - fewest < 2)
                return null;

            // Breadth first, so the chain changes as few placements as possible.
            var reachedBy = new Dictionary<NodeId, Step>();
            var visited = new HashSet<NodeId> { start };
            var queue = new Queue<NodeId>([start]);
            while (queue.Count > 0)
            {
                var from = queue.Dequeue();
                var options = handOvers(from)
                    .OrderBy(h => count[h.To])
                    .ThenBy(h => StableHash.Of(h.Partition, h.To))
                    .ToList();
                foreach (var (partition, to) in options)
                {
                    if (!visited.Add(to))
                        continue;
                    reachedBy[to] = new Step(partition, from, to);
                    if (count[to] <= count[start] - 2)
                        return ChainEndingAt(to, start, reachedBy);
                    queue.Enqueue(to);
                }
            }
        }
        return null;
    }

    private static List<Step> ChainEndingAt(NodeId end, NodeId start, Dictionary<NodeId, Step> reachedBy)
    {
        var chain = new List<Step>();
        for (var at = end; at != start; at = reachedBy[at].From)
            chain.Add(reachedBy[at]);
        chain.Reverse();
        return chain;
    }
}
