using KvActors.TestKit.Linearizability;

namespace KvActors.TestKit.Tests.Linearizability;

/// <summary>
/// Generates histories of a truly linearizable register: every client runs operations one after
/// another with random durations; each operation takes effect at a random instant within its interval
/// (an unknown-outcome one possibly later, or never), and results come from applying the effects
/// in that order.
/// </summary>
internal static class RegisterSimulation
{
    public static List<Operation> Generate(Random rng, int clients, int operations, string[] keys, double unknownRate = 0.0)
    {
        var ops = new List<(int Client, string Key, KvOp Op, long Invoke, long Response, bool Unknown, long EffectAt, bool Happens)>();
        var clock = new long[clients];
        for (var c = 0; c < clients; c++) clock[c] = rng.Next(0, 20);
        var counter = 0;
        for (var i = 0; i < operations; i++)
        {
            var c = rng.Next(clients);
            var invoke = clock[c];
            var response = invoke + rng.Next(1, 60);
            clock[c] = response + rng.Next(0, 15);
            var key = keys[rng.Next(keys.Length)];
            var roll = rng.NextDouble();
            var op = roll < 0.45 ? KvOp.Put($"c{c}-{counter++}") : roll < 0.85 ? KvOp.Get() : KvOp.Delete();
            var unknown = rng.NextDouble() < unknownRate;
            // An unknown op may still take effect after the client gave up (a retry in flight), or never.
            var effectAt = unknown ? invoke + rng.NextInt64(0, 3 * (response - invoke) + 1) : rng.NextInt64(invoke, response + 1);
            var happens = !unknown || rng.NextDouble() < 0.7;
            ops.Add((c, key, op, invoke, response, unknown, effectAt, happens));
        }

        // Apply the effects in effect order (ties in any order: both instants lie in both intervals).
        var state = new Dictionary<string, string?>();
        var results = new OpResult[ops.Count];
        foreach (var i in Enumerable.Range(0, ops.Count).OrderBy(i => ops[i].EffectAt).ThenBy(_ => rng.Next()))
        {
            var o = ops[i];
            if (!o.Happens) continue;
            state.TryGetValue(o.Key, out var current);
            switch (o.Op.Kind)
            {
                case OpKind.Put:
                    state[o.Key] = o.Op.Value;
                    results[i] = OpResult.Ok;
                    break;
                case OpKind.Get:
                    results[i] = OpResult.Read(current);
                    break;
                default:
                    state[o.Key] = null;
                    results[i] = OpResult.Deleted(current is not null);
                    break;
            }
        }

        return ops
            .Select((o, i) => new Operation(i + 1, o.Client, o.Key, o.Op, o.Unknown ? OpResult.Unknown : results[i], o.Invoke, o.Response))
            .OrderBy(o => o.InvokeTicks)
            .ToList();
    }

    /// <summary>
    /// Makes one get return an older value: a get G and completed puts P1, P2 on its key with P1
    /// before P2 before G in real time; G now reads P1's value (values are unique, so only P1 wrote
    /// it, and P2 overwrote it before G began). Returns null when the history has no such triple.
    /// </summary>
    public static (List<Operation> History, Operation Corrupted)? InjectStaleRead(Random rng, List<Operation> history)
    {
        var candidates = new List<(int Index, Operation P1)>();
        for (var i = 0; i < history.Count; i++)
        {
            var g = history[i];
            if (g.Op.Kind != OpKind.Get || g.IsUnknown) continue;
            var puts = history.Where(p => p.Key == g.Key && p.Op.Kind == OpKind.Put && !p.IsUnknown && p.ResponseTicks < g.InvokeTicks).ToList();
            if (puts.Count < 2) continue;
            var p2 = puts.MaxBy(p => p.InvokeTicks)!;
            var older = puts.Where(p => p.ResponseTicks < p2.InvokeTicks).ToList();
            if (older.Count == 0) continue;
            candidates.Add((i, older[rng.Next(older.Count)]));
        }

        if (candidates.Count == 0) return null;
        var (index, p1) = candidates[rng.Next(candidates.Count)];
        var old = history[index];
        var corrupted = new Operation(old.Id, old.ClientId, old.Key, old.Op, OpResult.Found(p1.Op.Value!), old.InvokeTicks, old.ResponseTicks);
        var copy = history.ToList();
        copy[index] = corrupted;
        return (copy, corrupted);
    }
}
